// The append-only, hash-chained audit log (DESIGN §3 rule 6): every action on a case, and the
// operator's changes to members, in one chain that responders can read and anyone can verify.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import {
  auditCaseReference,
  insertPendingAuditRow,
  listAuditRowsForCase,
  scanAuditChain,
  sealPendingAuditRows,
  type AuditRow,
} from '../../db/audit.queries';
import { canonicalJson, checkAuditDetails, hashAuditRow, type AuditJson, type ChainedFields } from './audit-chain';

/** Every action something appends (test/unit/audit-actions.test.ts holds that each one is emitted). */
export const AUDIT_ACTIONS = [
  'case.created',
  'case.viewed',
  'case.status-changed',
  'case.assigned',
  'case.severity-set',
  'case.embargo-set',
  'case.expedited',
  'case.escalated',
  'case.comment-added',
  'case.reply-added',
  'case.reporter-replied',
  'case.exported',
  'access.reader-added',
  'access.revoked',
  'conflict.recorded',
  'conflict.declared',
  'conflict.lifted',
  'conflict.downgraded',
  'liaison.appointed',
  'liaison.ended',
  'liaison.decision-recorded',
  'meeting.called',
  'meeting.moved',
  'meeting.cancelled',
  'meeting.invitee-removed',
  'meeting.attendance-recorded',
  'meeting.minutes-added',
  'decision.proposed',
  'decision.vote-called',
  'decision.ballot-cast',
  'decision.withdrawn',
  'decision.passed',
  'decision.rejected',
  'decision.lapsed',
  'access.granted',
  'access.grant-failed',
  'committee.key-set',
  'referral.started',
  'referral.sent',
  'cncf.notice-written',
  'cncf.notice-sent',
  'cncf.legal-consulted',
  'advisory.draft-saved',
  'advisory.exported',
  'advisory.published',
  'member.added',
  'member.removed',
  'member.key-changed',
  'member.invited',
  'member.auth-reset',
  'intake-key.rotated',
  'intake-key.imported',
  'intake-key.reissued',
  'transparency.note-saved',
  'transparency.exported',
  'charter.changed',
  'charter.set-by-operator',
  'charter.seeded',
  'distributor.added',
  'distributor.changed',
  'distributor.removed',
  'distributor.advisory-sent',
  'embargo.reminded',
  'embargo.leak-recorded',
  'retention.deletion-announced',
  'retention.content-deleted',
  'retention.hold-placed',
  'retention.hold-lifted',
  'srt.appointed',
  'srt.appointed-by-operator',
  'srt.reviewed',
  'srt.review-reminded',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acted: a member (actorMemberId set), or someone without a member account. */
export type AuditActorLabel = 'member' | 'reporter' | 'system' | 'operator';
const ACTOR_LABELS: readonly string[] = ['member', 'reporter', 'system', 'operator'];

/** The operator's (CLI) actions on members and the intake key: no member acts, and no case is named. */
export const BY_OPERATOR = { caseId: null, actorMemberId: null, actorLabel: 'operator' } as const;

export interface AuditEvent {
  caseId: string | null;
  actorMemberId: string | null;
  /** Defaults to 'member' when actorMemberId is set; required otherwise. */
  actorLabel?: AuditActorLabel;
  action: AuditAction;
  /** Metadata only: states, ids, references, fingerprints. Never content, names or e-mail addresses. */
  details: Record<string, AuditJson>;
}

/**
 * A row of one case's trail as a reader sees it. Its place is its position in this case's trail
 * (1, 2, 3…), never the row's id or chain position: those count the rows of every case, and a gap
 * between two of them would show a reader activity on cases it may not know of.
 */
export interface AuditEntry {
  position: number;
  action: string;
  actorMemberId: string | null;
  /** The acting member's name; null for the reporter, the operator, or a member since removed. */
  actorName: string | null;
  actorLabel: string;
  details: Record<string, unknown>;
  createdAt: Date;
  /** Hex SHA-256 of the row, for a responder to compare with `intake audit verify`; null until sealed. */
  hash: string | null;
}

export interface AuditVerification {
  ok: boolean;
  /** Rows verified (when broken: the intact rows before the broken one). */
  rows: number;
  firstBrokenId?: string;
  /** The case the broken row names, and its reference if the case still exists. */
  caseId?: string | null;
  caseReference?: string | null;
  reason?: string;
  /** The last intact row: record it elsewhere to detect a later rewrite or truncation of the tail. */
  headId?: string;
  headHash?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Appends one event. Given a transaction, the row commits or rolls back atomically with the action
 * it records. The row is written unsealed, without taking any lock, so appends never queue behind
 * each other; sealAuditLog chains committed rows shortly after (every instance runs it on a timer,
 * and `intake audit verify` runs it first). Until then the database already refuses to change it.
 */
export async function appendAudit(
  db: Kysely<Database> | Transaction<Database>,
  event: AuditEvent,
): Promise<{ id: string }> {
  const fields = checkEvent(event);
  const id = await insertPendingAuditRow(db, { ...fields, detailsJson: canonicalJson(fields.details) });
  return { id };
}

/** Seals every committed unsealed row into the chain, in batches; returns how many it sealed. */
export async function sealAuditLog(db: Kysely<Database>, batchSize = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await sealPendingAuditRows(db, batchSize, (row) =>
      hashAuditRow({ ...row, details: row.details as Record<string, AuditJson> }),
    );
    total += sealed;
    if (sealed < batchSize) return total;
  }
}

/** A case's trail, oldest first. The caller has already checked that the member may read the case. */
export async function listCaseAudit(db: Kysely<Database>, caseId: string): Promise<AuditEntry[]> {
  const rows = await listAuditRowsForCase(db, caseId);
  return rows.map((r, index) => ({
    position: index + 1,
    action: r.action,
    actorMemberId: r.actorMemberId,
    actorName: r.actorName,
    actorLabel: r.actorLabel,
    details: r.details,
    createdAt: new Date(r.createdAt),
    hash: r.hash?.toString('hex') ?? null,
  }));
}

/**
 * Walks the whole chain in id order, in batches through one consistent snapshot, and stops at the
 * first row whose hash or link to the row before it is wrong.
 */
export async function verifyAuditChain(
  db: Kysely<Database>,
  options: { batchSize?: number } = {},
): Promise<AuditVerification> {
  await sealAuditLog(db);
  let previous: { id: string; hash: Buffer } | null = null;
  let rows = 0;
  let broken: { row: AuditRow; reason: string } | null = null;
  await scanAuditChain(db, options.batchSize ?? 5000, async (batch) => {
    for (const row of batch) {
      const reason = chainProblem(row, previous);
      if (reason) {
        broken = { row, reason };
        return false;
      }
      previous = { id: row.id, hash: row.hash! };
      rows += 1;
    }
  });
  if (broken) {
    const { row, reason } = broken as { row: AuditRow; reason: string };
    const caseReference = row.caseId ? await auditCaseReference(db, row.caseId) : null;
    return { ok: false, rows, firstBrokenId: row.id, caseId: row.caseId, caseReference, reason };
  }
  const head = previous as { id: string; hash: Buffer } | null;
  return head ? { ok: true, rows, headId: head.id, headHash: head.hash.toString('hex') } : { ok: true, rows };
}

function chainProblem(row: AuditRow, previous: { id: string; hash: Buffer } | null): string | null {
  if (previous === null && row.prevHash !== null)
    return 'it is the first row but links to a predecessor: earlier rows were removed';
  if (previous !== null && (row.prevHash === null || !row.prevHash.equals(previous.hash))) {
    return `it does not link to row ${previous.id} before it: a row between them was removed, or row ${previous.id} was rewritten`;
  }
  let expected: Buffer;
  try {
    expected = hashAuditRow({ ...row, details: row.details as Record<string, AuditJson> });
  } catch {
    return 'its details are not valid audit JSON: the row was altered after it was written';
  }
  if (!row.hash || !expected.equals(row.hash))
    return 'its hash does not match its contents: the row was altered after it was written';
  return null;
}

function checkEvent(event: AuditEvent): Omit<ChainedFields, 'id' | 'createdAt' | 'prevHash'> {
  if (!(AUDIT_ACTIONS as readonly string[]).includes(event.action))
    throw new TypeError(`Unknown audit action "${event.action}".`);
  const caseId = normalizeUuid(event.caseId, 'caseId');
  const actorMemberId = normalizeUuid(event.actorMemberId, 'actorMemberId');
  const actorLabel = event.actorLabel ?? (actorMemberId ? 'member' : undefined);
  if (!actorLabel || !ACTOR_LABELS.includes(actorLabel))
    throw new TypeError('An audit event needs an actor: a member id, or a label (reporter, system, operator).');
  if (actorLabel === 'member' && !actorMemberId) throw new TypeError('An audit event by a member needs its id.');
  return { caseId, actorMemberId, actorLabel, action: event.action, details: checkAuditDetails(event.details) };
}

function normalizeUuid(value: string | null, name: string): string | null {
  if (value === null) return null;
  const lower = value.toLowerCase();
  if (!UUID.test(lower)) throw new TypeError(`Audit ${name} must be a UUID.`);
  return lower;
}
