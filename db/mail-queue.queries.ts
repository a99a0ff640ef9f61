import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

/**
 * Notification jobs by state, read straight from pg-boss's table (schema "pgboss") for the
 * operator; empty when pg-boss has never started on this database. Jobs hold ids only.
 */
export async function mailQueueCounts(db: Kysely<Database>, queue: string): Promise<Record<string, number>> {
  const installed = await sql<{ present: string | null }>`SELECT to_regclass('pgboss.job')::text AS present`.execute(db);
  if (!installed.rows[0]?.present) return {};
  const rows = await sql<{ state: string; n: string }>`SELECT state::text AS state, count(*) AS n FROM pgboss.job WHERE name = ${queue} GROUP BY state`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.state, Number(r.n)]));
}
