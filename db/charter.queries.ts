import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

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
}
