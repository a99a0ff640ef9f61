import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { PREPARED } from './prepared-statements';
import type { CaseChannel, CaseKind, Database } from './database';
import type { NewMessage } from './cases.queries';
import { asTokenUsedError, submissionTokenInsert, type NewSubmissionToken } from './submission-tokens.queries';

export interface NewCaseWithMessages {
  kind: CaseKind;
  /** Makes a random reference; called again when one is already taken. */
  newReference: () => string;
  channel: CaseChannel;
  receiptLookup: Uint8Array;
  reporterFingerprint: string;
  reporterPublicKey: string;
  reporterLockedKey: string;
  acknowledgeDueAt: Date;
  triageDueAt: Date;
  readerIds: string[];
  /** The member list's version routing read (memberListVersion): the statement fails if it changed since. */
  memberListVersion?: string;
  /** Members the reporter named as involved: a hard conflict each from the start (ground 'involved'). */
  involvedIds?: string[];
  messages: NewMessage[];
  /** The unsealed audit row recording the arrival (actor 'reporter'); its details get the reference. */
  audit: { action: string; details: Record<string, string> };
  /** The form's one-time token: a second case with it fails the statement (SubmissionTokenUsedError). */
  submission?: NewSubmissionToken;
  /** SHA-256 of a reply address's token (e-mail intake), recorded in the same statement. */
  replyAddressHash?: Uint8Array;
}

/** Tries of a fresh reference when one collides (40 random bits: a second try is already rare). */
const REFERENCE_TRIES = 5;

/**
 * Stores a new case — its row, readers, messages, session-key packets and audit row — in ONE
 * statement (data-modifying CTEs): one round trip and one commit per submission. The reference is
 * random (from `newReference`), unique by the index on cases.reference: a collision fails the whole
 * statement, which then runs again with another reference. Fails with RecipientsChangedError when a
 * reader was removed or a key retired since routing, with ReceiptInUseError when another case has
 * this receipt, and with SubmissionTokenUsedError when the submission token made a case already (a
 * concurrent statement with the same token waits for this one, then fails).
 */
export async function insertCaseWithMessages(
  db: Kysely<Database>,
  value: NewCaseWithMessages,
): Promise<{ id: string; reference: string }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await insertOnce(db, value, value.newReference());
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code !== '23505' || constraint !== 'cases_reference_key' || attempt >= REFERENCE_TRIES)
        throw asNewCaseError(error);
    }
  }
}

/** Another case has this receipt (its lookup hash is unique): the report must be made anew. */
export class ReceiptInUseError extends Error {
  constructor(cause?: unknown) {
    super('Another case has this receipt.', { cause });
    this.name = 'ReceiptInUseError';
  }
}

/** A reader routing chose was removed, or a key it used retired, since the member list was read: route again. */
export class RecipientsChangedError extends Error {
  constructor(cause?: unknown) {
    super('The recipients changed while the report was being stored.', { cause });
    this.name = 'RecipientsChangedError';
  }
}

/** What the statement's failure means: 23503 (foreign key) a reader or key gone, 23505 (unique) a token or receipt in use. */
function asNewCaseError(error: unknown): unknown {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === '23505' && constraint === 'cases_receipt_lookup_key') return new ReceiptInUseError(error);
  if (code === '23503') return new RecipientsChangedError(error);
  return asTokenUsedError(error);
}

async function insertOnce(
  db: Kysely<Database>,
  value: NewCaseWithMessages,
  reference: string,
): Promise<{ id: string; reference: string }> {
  const caseId = crypto.randomUUID();
  const memberKeyIds = [
    ...new Set(
      value.messages.flatMap((m) => m.sessionKeys.map((k) => k.memberKeyId)).filter((id): id is string => id !== null),
    ),
  ];
  const messages = value.messages.map((m) => ({ ...m, id: crypto.randomUUID() }));
  const readers = value.readerIds.map((id) => sql`(${caseId}::uuid, ${id}::uuid)`);
  const messageRows = messages.map(
    (m, index) =>
      // Distinct, ordered times for the messages of one case, whatever the clock's resolution.
      sql`(${m.id}::uuid, ${caseId}::uuid, ${m.role}, ${m.authorMemberId}::uuid, ${Buffer.from(m.body)}::bytea, clock_timestamp() + ${index} * interval '1 microsecond')`,
  );
  const keyRows = messages.flatMap((m) =>
    m.sessionKeys.map(
      (k) => sql`(${m.id}::uuid, ${k.recipientFingerprint}, ${k.memberKeyId}::uuid, ${Buffer.from(k.packet)}::bytea)`,
    ),
  );
  // Prepared once per connection and shape (see PREPARED): every submission runs this statement.
  const { rows } = await sql<{ reference: string }>`${sql.raw(PREPARED)}
    WITH new_case AS (
      INSERT INTO cases (id, reference, kind, channel, receipt_lookup, reporter_fingerprint, reporter_public_key, reporter_locked_key, acknowledge_due_at, triage_due_at)
      SELECT ${caseId}::uuid, ${reference}::text,
             ${value.kind}, ${value.channel}, ${Buffer.from(value.receiptLookup)}::bytea, ${value.reporterFingerprint}, ${value.reporterPublicKey},
             ${value.reporterLockedKey}, ${value.acknowledgeDueAt}, ${value.triageDueAt}
      -- Routing may have used a member list a moment old: refuse if a key it used was retired since.
      -- The rows below then reference no case, and the foreign keys fail the whole statement.
      -- The same for any change of the member list since routing read it (a member added, a role changed).
      WHERE NOT EXISTS (SELECT 1 FROM member_keys WHERE id = ANY(${memberKeyIds}::uuid[]) AND retired_at IS NOT NULL)
        AND (${value.memberListVersion ?? null}::bigint IS NULL
             OR ${value.memberListVersion ?? null}::bigint = (SELECT version FROM member_list_version))
      RETURNING reference, created_at, kind, status, assignee_id, acknowledged_at, acknowledge_due_at, triaged_at, triage_due_at
    ),
    -- With their copies of the case's list facts (migration 2026-11-24-06), which the case's insert
    -- trigger checks at the end of the statement: no second write of every reader row.
    new_readers AS (
      INSERT INTO case_readers (case_id, member_id, case_created_at, case_kind, case_status, case_assignee_id, case_clock_due_at)
      SELECT v.case_id, v.member_id, c.created_at, c.kind, c.status, c.assignee_id,
             case_clock_due_at(c.acknowledged_at, c.acknowledge_due_at, c.triaged_at, c.triage_due_at)
      FROM (VALUES ${sql.join(readers)}) AS v(case_id, member_id) LEFT JOIN new_case c ON true
    ),
    new_messages AS (INSERT INTO messages (id, case_id, role, author_member_id, body, created_at) VALUES ${sql.join(messageRows)}),
    new_keys AS (INSERT INTO session_keys (message_id, recipient_fingerprint, member_key_id, packet) VALUES ${sql.join(keyRows)}),
    new_audit AS (
      INSERT INTO audit_log (case_id, actor_label, action, details)
      SELECT ${caseId}::uuid, 'reporter', ${value.audit.action}, ${JSON.stringify(value.audit.details)}::jsonb || jsonb_build_object('reference', reference)
      FROM new_case
    )${involvedConflicts(caseId, value.involvedIds ?? [])}${submissionTokenInsert(value.submission, caseId)}${replyAddressInsert(value.replyAddressHash, caseId)}
    SELECT reference FROM new_case`.execute(db);
  return { id: caseId, reference: rows[0]!.reference };
}

/** The reporter's choice as hard conflicts (recorded by nobody: the reporter), each with its audit row, in the case's statement. */
function involvedConflicts(caseId: string, involvedIds: string[]) {
  if (involvedIds.length === 0) return sql``;
  const rows = [...new Set(involvedIds)].map((memberId) => ({ id: crypto.randomUUID(), memberId }));
  const conflictRows = rows.map((r) => sql`(${r.id}::uuid, ${caseId}::uuid, ${r.memberId}::uuid, 'hard', 'involved')`);
  const auditRows = rows.map(
    (r) =>
      sql`(${caseId}::uuid, 'reporter', 'conflict.recorded', ${JSON.stringify({ conflictId: r.id, memberId: r.memberId, level: 'hard', ground: 'involved' })}::jsonb)`,
  );
  return sql`,
    new_conflicts AS (INSERT INTO case_conflicts (id, case_id, member_id, level, ground) VALUES ${sql.join(conflictRows)}),
    new_conflict_audit AS (INSERT INTO audit_log (case_id, actor_label, action, details) VALUES ${sql.join(auditRows)})`;
}

function replyAddressInsert(hash: Uint8Array | undefined, caseId: string) {
  if (!hash) return sql``;
  return sql`,
    new_reply_address AS (
      INSERT INTO case_reply_addresses (address_hash, case_id) SELECT ${Buffer.from(hash)}::bytea, ${caseId}::uuid FROM new_case
    )`;
}
