import type { Kysely } from 'kysely';
import { openDatabase } from '../../db/connect';
import type { Database } from '../../db/database';
import { loadConfig } from '../config';
import { governanceWarnings } from '../members';

/**
 * Runs one CLI command against the configured database (attaching to the embedded one the server
 * runs, or starting it for the command), then prints the governance warnings on stderr.
 */
export async function withDatabase<T>(run: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const handle = await openDatabase(config);
  try {
    const result = await run(handle.db);
    for (const warning of await governanceWarnings(handle.db)) process.stderr.write(`warning: ${warning}\n`);
    return result;
  } finally {
    await handle.close();
  }
}
