import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

/** One round trip to PostgreSQL that reads no table (`select 1`); rejects when the database cannot answer. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
