// The end of a case's life (issue 12 §3): which closed cases' content is due for deletion, the
// warnings, the legal holds, and the deletion itself. Which states keep a clock and for how many
// days is the domain's (server/retention/retention-rules.ts); it is passed in.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { CaseKind, Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Per kind: the states whose content is kept for a while and then deleted, and for how many days. */
export type RetentionPolicy = Record<CaseKind, { states: readonly string[]; days: number }>;

/** How long before a deletion its warning goes out, at the least. */
export const WARNING_DAYS = 7;

/** When the case's content is due to go by the clock alone (no warning, no hold taken into account). */
function clockDue(policy: RetentionPolicy): RawBuilder<Date> {
  return sql<Date>`(c.retention_started_at + make_interval(days => CASE c.kind WHEN 'security' THEN ${policy.security.days}::int ELSE ${policy.coc.days}::int END))`;
}

function inRetentionState(policy: RetentionPolicy): RawBuilder<boolean> {
  return sql<boolean>`((c.kind = 'security' AND c.status = ANY(${[...policy.security.states]}::text[]))
    OR (c.kind = 'coc' AND c.status = ANY(${[...policy.coc.states]}::text[])))`;
}

const held = sql<boolean>`EXISTS (SELECT 1 FROM case_legal_holds h WHERE h.case_id = c.id AND h.lifted_at IS NULL)`;

/** Due now: warned about this very date at least WARNING_DAYS ago, the date passed, no hold in force. */
function deletableAt(policy: RetentionPolicy, now: Date): RawBuilder<boolean> {
  const due = clockDue(policy);
  return sql<boolean>`(c.content_deleted_at IS NULL AND ${inRetentionState(policy)} AND NOT ${held}
    AND c.retention_warned_for = ${due}
    AND GREATEST(${due}, c.retention_warned_at + make_interval(days => ${WARNING_DAYS}::int)) <= ${now})`;
}

export interface RetentionRow {
  id: string;
  reference: string;
  kind: CaseKind;
  status: string;
  /** By the clock alone. */
  clockDueAt: Date;
  warnedFor: Date | null;
  warnedAt: Date | null;
  held: boolean;
}

/** The closed cases with content whose clock runs out by `until`, earliest first. */
export async function listRetentionCandidates(
  db: Db,
  policy: RetentionPolicy,
  until: Date,
  options: { caseId?: string } = {},
): Promise<RetentionRow[]> {
  const due = clockDue(policy);
  let query = db
    .selectFrom('cases as c')
    .select([
      'c.id',
      'c.reference',
      'c.kind',
      'c.status',
      due.as('clock_due_at'),
      'c.retention_warned_for',
      'c.retention_warned_at',
      held.as('held'),
    ])
    .where('c.content_deleted_at', 'is', null)
    .where(inRetentionState(policy))
    .where(sql<boolean>`${due} <= ${until}`);
  if (options.caseId) query = query.where('c.id', '=', options.caseId);
  const rows = await query.orderBy(due).orderBy('c.reference').execute();
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    kind: r.kind,
    status: r.status,
    clockDueAt: r.clock_due_at,
    warnedFor: r.retention_warned_for,
    warnedAt: r.retention_warned_at,
    held: r.held,
  }));
}

/**
 * Marks the cases whose deletion is WARNING_DAYS away (or nearer) and whose readers were not warned
 * about that date yet, and returns them with the date. SKIP LOCKED: two runs at once warn once.
 */
export async function markCasesToWarn(
  trx: Transaction<Database>,
  policy: RetentionPolicy,
  now: Date,
): Promise<{ id: string; dueAt: Date }[]> {
  const due = clockDue(policy);
  const locked = await trx
    .selectFrom('cases as c')
    .select(['c.id', due.as('due_at')])
    .where('c.content_deleted_at', 'is', null)
    .where(inRetentionState(policy))
    .where(sql<boolean>`NOT ${held}`)
    .where(sql<boolean>`${due} <= ${now}::timestamptz + make_interval(days => ${WARNING_DAYS}::int)`)
    .where(sql<boolean>`c.retention_warned_for IS DISTINCT FROM ${due}`)
    .limit(500)
    .forUpdate('c')
    .modifyEnd(sql`SKIP LOCKED`)
    .execute();
  // The date itself from SQL: a JavaScript Date would round it to milliseconds, and it is compared exactly.
  if (locked.length)
    await trx
      .updateTable('cases as c')
      .set({ retention_warned_for: due, retention_warned_at: now })
      .where(
        'c.id',
        'in',
        locked.map((c) => c.id),
      )
      .execute();
  return locked.map((c) => ({ id: c.id, dueAt: c.due_at }));
}

/** Locks one case whose content is due for deletion now, skipping any another run holds; undefined: none left. */
export async function lockOneDeletableCase(
  trx: Transaction<Database>,
  policy: RetentionPolicy,
  now: Date,
): Promise<{ id: string; kind: CaseKind; dueAt: Date } | undefined> {
  const r = await trx
    .selectFrom('cases as c')
    .select(['c.id', 'c.kind', 'c.retention_warned_for'])
    .where(deletableAt(policy, now))
    .orderBy('c.retention_started_at')
    .limit(1)
    .forUpdate('c')
    .modifyEnd(sql`SKIP LOCKED`)
    .executeTakeFirst();
  return r && { id: r.id, kind: r.kind, dueAt: r.retention_warned_for! };
}

/** Rows removed by a deletion, per table: what the audit row records. */
export interface DeletedCounts {
  messages: number;
  sessionKeys: number;
  replyAddresses: number;
  submissionTokens: number;
  lockedKeys: number;
}

/**
 * Deletes for good everything of the (locked) case that holds its content or could decrypt it: the
 * message bodies of every role with their session-key packets (and the grant failures naming them),
 * the reporter's locked private key, its reply addresses and submission tokens (a sealed receipt).
 * The case row stays, marked; its audit rows are never touched.
 */
export async function deleteCaseContent(
  trx: Transaction<Database>,
  caseId: string,
  deletedAt: Date,
): Promise<DeletedCounts> {
  const messageIds = trx.selectFrom('messages').select('id').where('case_id', '=', caseId);
  const packets = await trx.deleteFrom('session_keys').where('message_id', 'in', messageIds).executeTakeFirst();
  await trx.deleteFrom('grant_failures').where('message_id', 'in', messageIds).execute();
  const messages = await trx.deleteFrom('messages').where('case_id', '=', caseId).executeTakeFirst();
  const addresses = await trx.deleteFrom('case_reply_addresses').where('case_id', '=', caseId).executeTakeFirst();
  const tokens = await trx.deleteFrom('submission_tokens').where('case_id', '=', caseId).executeTakeFirst();
  // Mail not sent yet holds ciphertext too: a sending to a distributor is given up, a notice to the CNCF dropped.
  await trx
    .updateTable('distributor_sendings')
    .set({ ciphertext: null, given_up_at: deletedAt })
    .where('case_id', '=', caseId)
    .where('sent_at', 'is', null)
    .execute();
  await trx.deleteFrom('cncf_notices').where('case_id', '=', caseId).where('sent_at', 'is', null).execute();
  // The newest message a reader was shown is gone: its id would name nothing.
  await trx.updateTable('case_reads').set({ seen_message_id: null }).where('case_id', '=', caseId).execute();
  const key = await trx
    .updateTable('cases')
    .set({ reporter_locked_key: null, content_deleted_at: deletedAt })
    .where('id', '=', caseId)
    .where('content_deleted_at', 'is', null)
    .executeTakeFirst();
  return {
    messages: Number(messages.numDeletedRows),
    sessionKeys: Number(packets.numDeletedRows),
    replyAddresses: Number(addresses.numDeletedRows),
    submissionTokens: Number(tokens.numDeletedRows),
    lockedKeys: Number(key.numUpdatedRows),
  };
}

/**
 * New activity on the case (a status change, a message): its retention clock starts again now.
 * Takes the case row's lock, so a deletion running at the same moment comes strictly before or after;
 * false when the content is already deleted (nothing may be added to it then).
 */
export async function restartRetentionClock(trx: Transaction<Database>, caseId: string): Promise<boolean> {
  const r = await trx
    .updateTable('cases')
    .set({ retention_started_at: sql<Date>`now()` })
    .where('id', '=', caseId)
    .where('content_deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface CaseRetentionFacts {
  startedAt: Date;
  warnedFor: Date | null;
  warnedAt: Date | null;
  contentDeletedAt: Date | null;
  hold: { id: string; placedAt: Date; placedByMemberId: string | null; placedByName: string | null } | null;
}

export async function caseRetentionFacts(db: Db, caseId: string): Promise<CaseRetentionFacts> {
  const c = await db
    .selectFrom('cases')
    .select(['retention_started_at', 'retention_warned_for', 'retention_warned_at', 'content_deleted_at'])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  const hold = await heldBy(db, caseId);
  return {
    startedAt: c.retention_started_at,
    warnedFor: c.retention_warned_for,
    warnedAt: c.retention_warned_at,
    contentDeletedAt: c.content_deleted_at,
    hold: hold ?? null,
  };
}

async function heldBy(db: Db, caseId: string) {
  const h = await db
    .selectFrom('case_legal_holds as h')
    .leftJoin('members as m', 'm.id', 'h.placed_by_member_id')
    .select(['h.id', 'h.placed_at', 'h.placed_by_member_id', 'm.name'])
    .where('h.case_id', '=', caseId)
    .where('h.lifted_at', 'is', null)
    .executeTakeFirst();
  return h && { id: h.id, placedAt: h.placed_at, placedByMemberId: h.placed_by_member_id, placedByName: h.name };
}

/** The id of the hold in force on the case, if one is. */
export async function holdInForce(db: Db, caseId: string): Promise<string | undefined> {
  return (await heldBy(db, caseId))?.id;
}

/** Locks the case row (a hold and a deletion come one after the other); undefined: no such case. */
export async function lockCaseForHold(
  trx: Transaction<Database>,
  caseId: string,
): Promise<{ contentDeletedAt: Date | null; holdId: string | null } | undefined> {
  const c = await trx
    .selectFrom('cases')
    .select('content_deleted_at')
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
  if (!c) return undefined;
  const hold = await heldBy(trx, caseId);
  return { contentDeletedAt: c.content_deleted_at, holdId: hold?.id ?? null };
}

export async function insertLegalHold(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  placedAt: Date,
): Promise<string> {
  const { id } = await trx
    .insertInto('case_legal_holds')
    .values({ case_id: caseId, placed_by_member_id: memberId, placed_at: placedAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** Lifts the hold in force; the readers are warned again before any deletion (the warning is forgotten). */
export async function liftHold(
  trx: Transaction<Database>,
  holdId: string,
  caseId: string,
  proposalId: string | null,
): Promise<void> {
  await trx
    .updateTable('case_legal_holds')
    .set({ lifted_at: sql<Date>`now()`, lifted_by_proposal_id: proposalId })
    .where('id', '=', holdId)
    .execute();
  await trx
    .updateTable('cases')
    .set({ retention_warned_for: null, retention_warned_at: null })
    .where('id', '=', caseId)
    .execute();
}
