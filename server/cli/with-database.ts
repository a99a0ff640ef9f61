import type { Kysely } from 'kysely';
import { openDatabase } from '../../db/connect';
import type { Database } from '../../db/database';
import { governanceWarnings } from '../governance/members';
import type { CliContext } from './cli-context';

/**
 * Runs one CLI command against the configured database (attaching to the embedded one the server
 * runs, or starting it for the command), then prints the governance warnings on stderr.
 */
export async function withDatabase<T>(context: CliContext, run: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const handle = await openDatabase(context.config());
  try {
    const result = await run(handle.db);
    for (const warning of await governanceWarnings(handle.db)) process.stderr.write(`warning: ${warning}\n`);
    return result;
  } finally {
    await handle.close();
  }
}
