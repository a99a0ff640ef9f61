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
  /** null until the row is sealed into the chain. */
  hash: Buffer | null;
  chainSeq: string | null;
}

/** A row of a case's trail, with the acting member's name (null once that member is removed). */
export interface AuditTrailRow extends AuditRow {
  actorName: string | null;
}

/** The columns a chain row is hashed over (and checked with), as the sealer and the verifier both read them. */
function chainRowColumns() {
  return [
    'id',
    'case_id',
    'actor_member_id',
    'actor_label',
    'action',
    'details',
    CREATED_AT_ISO.as('created_at'),
    'prev_hash',
    'hash',
    'chain_seq',
  ] as const;
}

/** Inserts an unsealed row (no hash yet): cheap, takes no lock, commits with the caller's action. */
export async function insertPendingAuditRow(
  db: Db,
  row: { caseId: string | null; actorMemberId: string | null; actorLabel: string; action: string; detailsJson: string },
): Promise<string> {
  const { id } = await db
    .insertInto('audit_log')
    .values({
      case_id: row.caseId,
      actor_member_id: row.actorMemberId,
      actor_label: row.actorLabel,
      action: row.action,
      details: row.detailsJson,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/**
 * Seals the committed, unsealed rows (oldest id first, up to `batchSize`) into the chain: each gets
 * the previous row's hash, its own hash from `hashRow`, and the next chain position. One sealer at a
 * time across every instance (a try-lock: a busy sealer is left to finish). Returns how many it sealed.
 */
export async function sealPendingAuditRows(
  db: Kysely<Database>,
  batchSize: number,
  hashRow: (row: Omit<AuditRow, 'hash' | 'chainSeq'>) => Buffer,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows: locked } = await sql<{
      ok: boolean;
    }>`SELECT pg_try_advisory_xact_lock(hashtextextended('intake.audit_log', 0)) AS ok`.execute(trx);
    if (!locked[0]?.ok) return 0;
    const head = await trx
      .selectFrom('audit_log')
      .select(['chain_seq', 'hash'])
      .where('chain_seq', 'is not', null)
      .orderBy('chain_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const pending = await trx
      .selectFrom('audit_log')
      .select(chainRowColumns())
      .where('hash', 'is', null)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (pending.length === 0) return 0;
    let prevHash = head?.hash ?? null;
    let seq = BigInt(head?.chain_seq ?? 0);
    const sealed = pending.map((r) => {
      seq += 1n;
      const hash = hashRow({ ...toAuditRow(r), prevHash });
      const value = sql`(${r.id}::bigint, ${prevHash}::bytea, ${hash}::bytea, ${seq.toString()}::bigint)`;
      prevHash = hash;
      return value;
    });
    await sql`UPDATE audit_log AS a SET prev_hash = v.prev_hash, hash = v.hash, chain_seq = v.seq
      FROM (VALUES ${sql.join(sealed)}) AS v(id, prev_hash, hash, seq) WHERE a.id = v.id`.execute(trx);
    return pending.length;
  });
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
      'audit_log.chain_seq',
      'members.name as actor_name',
    ])
    .where('audit_log.case_id', '=', caseId)
    .orderBy('audit_log.id')
    .execute();
  return rows.map((r) => ({ ...toAuditRow(r), actorName: r.actor_name }));
}

/**
 * Reads the sealed chain in chain order, `batchSize` rows at a time, through a cursor in one read-only
 * REPEATABLE READ snapshot: memory stays bounded at any length, and rows appended meanwhile are not
 * part of this reading. `visit` returns false to stop early.
 */
export async function scanAuditChain(
  db: Kysely<Database>,
  batchSize: number,
  visit: (rows: AuditRow[]) => Promise<boolean | void>,
): Promise<void> {
  const select = db
    .selectFrom('audit_log')
    .select(chainRowColumns())
    .where('hash', 'is not', null)
    .orderBy('chain_seq');
  type Row = Parameters<typeof toAuditRow>[0];
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`DECLARE audit_chain_scan NO SCROLL CURSOR FOR ${select}`.execute(trx);
      for (;;) {
        const { rows } = await sql<Row>`FETCH FORWARD ${sql.lit(batchSize)} FROM audit_chain_scan`.execute(trx);
        if (rows.length === 0 || (await visit(rows.map(toAuditRow))) === false || rows.length < batchSize) break;
      }
    });
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
  hash: Buffer | null;
  chain_seq: string | null;
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
    chainSeq: r.chain_seq,
  };
}
