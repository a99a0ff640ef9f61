import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Every write NOTIFYs here (delivered at commit): instances drop their cached charter (server/governance/charter-cache.ts). */
export const CHARTER_CHANNEL = 'charter_changed';

async function notifyCharterChanged(db: Db): Promise<void> {
  await sql`SELECT pg_notify(${CHARTER_CHANNEL}, '')`.execute(db);
}

export interface CharterRow {
  key: string;
  value: unknown;
  changedAt: Date;
  changedBy: 'seed' | 'operator' | 'decision';
  proposalId: string | null;
}

export async function listCharterRows(db: Db): Promise<CharterRow[]> {
  const rows = await db.selectFrom('charter_settings').selectAll().orderBy('key').execute();
  return rows.map((r) => ({
    key: r.key,
    value: r.value,
    changedAt: r.changed_at,
    changedBy: r.changed_by,
    proposalId: r.proposal_id,
  }));
}

export async function writeCharterValue(
  db: Db,
  row: { key: string; value: unknown; changedBy: CharterRow['changedBy']; proposalId: string | null; at: Date },
): Promise<void> {
  const values = {
    key: row.key,
    value: JSON.stringify(row.value),
    changed_by: row.changedBy,
    proposal_id: row.proposalId,
    changed_at: row.at,
  };
  await db
    .insertInto('charter_settings')
    .values(values)
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
  await notifyCharterChanged(db);
}

export async function charterRow(db: Db, key: string): Promise<CharterRow | undefined> {
  return (await listCharterRows(db)).find((r) => r.key === key);
}

/**
 * Whether the governance has started: an approver enrolled (credentials) or ever holding a session
 * still on file, or any proposal made. From then on the charter changes only by decision.
 */
export async function governanceStarted(db: Db): Promise<boolean> {
  const row = await sql<{ started: boolean }>`
    SELECT EXISTS (SELECT 1 FROM member_credentials c JOIN members m ON m.id = c.member_id WHERE m.role = 'approver')
        OR EXISTS (SELECT 1 FROM member_sessions s JOIN members m ON m.id = s.member_id WHERE m.role = 'approver')
        OR EXISTS (SELECT 1 FROM proposals)
        OR EXISTS (SELECT 1 FROM charter_settings WHERE changed_by = 'decision') AS started`.execute(db);
  return row.rows[0]?.started === true;
}

/** Serializes the operator's and the decisions' changes of the charter (held to the end of the transaction). */
export async function lockCharter(trx: Transaction<Database>): Promise<void> {
  await sql`LOCK TABLE charter_settings IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
}

/** Writes the value only when the key has none yet (several instances may start at once). Returns whether it did. */
export async function seedCharterValue(db: Db, row: { key: string; value: unknown; at: Date }): Promise<boolean> {
  const written = await db
    .insertInto('charter_settings')
    .values({
      key: row.key,
      value: JSON.stringify(row.value),
      changed_by: 'seed',
      proposal_id: null,
      changed_at: row.at,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .execute();
  if (written.length > 0) await notifyCharterChanged(db);
  return written.length > 0;
}
