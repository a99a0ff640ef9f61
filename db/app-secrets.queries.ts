import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './database';

/**
 * A random secret shared by every app instance on this database, made on first use. Read only
 * here, by name; never logged.
 */
export async function getOrCreateSecret(db: Kysely<Database>, name: string): Promise<string> {
  await db
    .insertInto('app_secrets')
    .values({ name, value: crypto.randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('app_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
