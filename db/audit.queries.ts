import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** created_at exactly as hashed: UTC, microseconds, independent of the session's TimeZone. */
const CREATED_AT_ISO = sql<string>`to_char(audit_log.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A row as the chain stores it; `details` holds metadata only, never content. */
export interface AuditRow {
  id: string;
  caseId: string | null;
  actorMemberId: string | null;
  actorLabel: string;
  action: string;
  details: Record<string, unknown>;
  /** UTC ISO string with microseconds. */
  createdAt: string;
  prevHash: Buffer | null;
  hash: Buffer;
}

/** A row of a case's trail, with the acting member's name (null once that member is removed). */
export interface AuditTrailRow extends AuditRow {
  actorName: string | null;
}

/**
 * Takes the chain's lock until the transaction ends, so that appends from every app instance form
 * one chain. Must run inside a transaction: outside one the lock would be released at once.
 */
export async function lockAuditChain(trx: Transaction<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended('intake.audit_log', 0))`.execute(trx);
}

/** The last row of the chain (its id and hash), or undefined for an empty log. Call under the lock. */
export async function auditChainHead(trx: Transaction<Database>): Promise<{ id: string; hash: Buffer } | undefined> {
  return trx.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/**
 * Reserves the next row's id and its creation time before the row is hashed. Under the lock, ids
 * and times grow in chain order; a rolled-back append leaves a harmless gap in the ids.
 */
export async function reserveAuditRow(trx: Transaction<Database>): Promise<{ id: string; createdAt: string }> {
  const { rows } = await sql<{ id: string; created_at: string }>`
    SELECT nextval(pg_get_serial_sequence('audit_log', 'id'))::text AS id,
           to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at`.execute(trx);
  return { id: rows[0]!.id, createdAt: rows[0]!.created_at };
}

/** Inserts one chained row; `detailsJson` is the canonical JSON that was hashed. */
export async function insertAuditRow(trx: Transaction<Database>, row: Omit<AuditRow, 'details'> & { detailsJson: string }): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      id: row.id,
      case_id: row.caseId,
      actor_member_id: row.actorMemberId,
      actor_label: row.actorLabel,
      action: row.action,
      details: row.detailsJson,
      created_at: row.createdAt,
      prev_hash: row.prevHash,
      hash: row.hash,
    })
    .execute();
}

/** A case's trail, oldest first, with the names of the members who acted. */
export async function listAuditRowsForCase(db: Db, caseId: string): Promise<AuditTrailRow[]> {
  const rows = await db
    .selectFrom('audit_log')
    .leftJoin('members', 'members.id', 'audit_log.actor_member_id')
    .select([
      'audit_log.id',
      'audit_log.case_id',
      'audit_log.actor_member_id',
      'audit_log.actor_label',
      'audit_log.action',
      'audit_log.details',
      CREATED_AT_ISO.as('created_at'),
      'audit_log.prev_hash',
      'audit_log.hash',
      'members.name as actor_name',
    ])
    .where('audit_log.case_id', '=', caseId)
    .orderBy('audit_log.id')
    .execute();
  return rows.map((r) => ({ ...toAuditRow(r), actorName: r.actor_name }));
}

/** The id of the chain's last row now, or null for an empty log: where a verification stops. */
export async function lastAuditRowId(db: Db): Promise<string | null> {
  const row = await db.selectFrom('audit_log').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? null;
}

/** One batch of the chain in id order: rows after `afterId` (null: from the start) up to `lastId`. */
export async function auditRowsBatch(db: Db, afterId: string | null, lastId: string, limit: number): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'case_id', 'actor_member_id', 'actor_label', 'action', 'details', CREATED_AT_ISO.as('created_at'), 'prev_hash', 'hash'])
    .where('id', '<=', lastId)
    .orderBy('id')
    .limit(limit);
  if (afterId !== null) query = query.where('id', '>', afterId);
  return (await query.execute()).map(toAuditRow);
}

/** The reference of the case an audit row names, if that case still exists. */
export async function auditCaseReference(db: Db, caseId: string): Promise<string | null> {
  const row = await db.selectFrom('cases').select('reference').where('id', '=', caseId).executeTakeFirst();
  return row?.reference ?? null;
}

function toAuditRow(r: {
  id: string;
  case_id: string | null;
  actor_member_id: string | null;
  actor_label: string;
  action: string;
  details: Record<string, unknown>;
  created_at: string;
  prev_hash: Buffer | null;
  hash: Buffer;
}): AuditRow {
  return {
    id: r.id,
    caseId: r.case_id,
    actorMemberId: r.actor_member_id,
    actorLabel: r.actor_label,
    action: r.action,
    details: r.details,
    createdAt: r.created_at,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
