import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

/**
 * Notification jobs by state, read straight from pg-boss's table (schema "pgboss") for the
 * operator; empty when pg-boss has never started on this database. Jobs hold ids only.
 */
export async function mailQueueCounts(db: Kysely<Database>, queue: string): Promise<Record<string, number>> {
  const installed = await sql<{ present: string | null }>`SELECT to_regclass('pgboss.job')::text AS present`.execute(
    db,
  );
  if (!installed.rows[0]?.present) return {};
  const rows = await sql<{
    state: string;
    n: string;
  }>`SELECT state::text AS state, count(*) AS n FROM pgboss.job WHERE name = ${queue} GROUP BY state`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.state, Number(r.n)]));
}

/**
 * The notifications addressed to this member that wait (not sent yet, or retrying), about cases the
 * member still reads: what the member's own dashboard may say. Never a figure over other members'
 * mail, which would move when a case this member may not know of arrives or is worked on.
 */
export async function waitingNotificationsFor(db: Kysely<Database>, queue: string, memberId: string): Promise<number> {
  const installed = await sql<{ present: string | null }>`SELECT to_regclass('pgboss.job')::text AS present`.execute(
    db,
  );
  if (!installed.rows[0]?.present) return 0;
  // The reader check is a subquery per job (LIMIT keeps it from becoming a join): a plan that walks
  // the member's own jobs whatever the size of the queue, never one that changes as others' mail grows.
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM pgboss.job AS j
    WHERE j.name = ${queue} AND j.state < 'completed' AND j.data->>'memberId' = ${memberId}
      AND (SELECT true FROM case_readers AS r WHERE r.case_id = (j.data->>'caseId')::uuid AND r.member_id = ${memberId}::uuid LIMIT 1)`.execute(
    db,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * An index on the member a waiting notification is addressed to, on pg-boss's job table, so that
 * counting one member's reads that member's rows only: its time does not grow with other members'
 * mail either. Idempotent; a second instance making it at the same moment is no error.
 */
export async function indexNotificationsByMember(db: Kysely<Database>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS job_intake_member ON pgboss.job (name, (data->>'memberId')) WHERE state < 'completed'`
    .execute(db)
    .catch((error: { code?: string }) => {
      if (error.code !== '23505' && error.code !== '42P07') throw error;
    });
}
