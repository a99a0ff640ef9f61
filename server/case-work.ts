// What a signed-in reader does with a case: open it, move it, assign it, rate it, set its embargo.
// Every function finds the case only among the member's readable cases (else: not found, exactly
// like a reference that does not exist) and writes its audit row in the same transaction.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { caseReaders, caseTimeline, findReadableCase, lockCaseStatus, setEmbargoDay, updateCase, type CaseDetail } from '../db/case-view.queries';
import { appendAudit, listCaseAudit } from './audit';
import type { CaseEvents } from './case-events';
import { badInput, notFound } from './errors';
import type { SignedInMember } from './http/request-context';
import { checkCwe, scoreCvss } from './severity';
import { TEXT_LIMITS, checkText } from './text-checks';
import { allowedMoves, checkMove, stateOf, type MoveDetails } from './workflow';

export const CASE_NOT_FOUND = 'There is no case with this reference.';

export async function requireReadableCase(db: Kysely<Database>, member: SignedInMember, reference: string): Promise<CaseDetail> {
  const found = await findReadableCase(db, member.id, checkText(reference, 'The case reference', TEXT_LIMITS.reference));
  if (!found) throw notFound(CASE_NOT_FOUND);
  return found;
}

/** The case view: metadata, readers, timeline (ciphertext with this member's key packets), audit trail. */
export async function openCase(db: Kysely<Database>, member: SignedInMember, reference: string) {
  const detail = await requireReadableCase(db, member, reference);
  await appendAudit(db, { caseId: detail.id, actorMemberId: member.id, action: 'case.viewed', details: {} });
  const [readers, timeline, audit] = await Promise.all([caseReaders(db, detail.id), caseTimeline(db, detail.id, member.id), listCaseAudit(db, detail.id)]);
  return { detail, readers, timeline, audit, moves: allowedMoves(detail.kind, detail.status) };
}

export async function moveCase(db: Kysely<Database>, member: SignedInMember, reference: string, to: string, details: MoveDetails = {}): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  await db.transaction().execute(async (trx) => {
    const current = await lockCaseStatus(trx, found.id);
    checkMove(found.kind, current.status, to, details);
    const now = new Date();
    // Only what this move records: a stray field of another move's form never reaches the case or the audit log.
    const recorded = {
      ...(to === 'duplicate' ? { duplicateOf: details.duplicateOf!.trim().toUpperCase() } : {}),
      ...(to === 'resolved' ? { resolution: details.resolution! } : {}),
    };
    await updateCase(trx, found.id, {
      status: to,
      acknowledged_at: current.acknowledgedAt ?? now,
      triaged_at: current.triagedAt ?? (stateOf(found.kind, to).triaged ? now : null),
      ...(recorded.duplicateOf ? { duplicate_of: recorded.duplicateOf } : {}),
      ...(recorded.resolution ? { resolution: recorded.resolution } : {}),
    });
    await appendAudit(trx, { caseId: found.id, actorMemberId: member.id, action: 'case.status-changed', details: { from: current.status, to, ...recorded } });
  });
}

/** Assigns the case to one of its readers (or to nobody). */
export async function assignCase(db: Kysely<Database>, member: SignedInMember, reference: string, assigneeId: string | null, events: CaseEvents): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  if (assigneeId !== null && !(await caseReaders(db, found.id)).some((r) => r.id === assigneeId)) {
    throw badInput('A case can only be assigned to someone who may read it.');
  }
  await db.transaction().execute(async (trx) => {
    await updateCase(trx, found.id, { assignee_id: assigneeId });
    await appendAudit(trx, { caseId: found.id, actorMemberId: member.id, action: 'case.assigned', details: { assigneeId } });
  });
  if (assigneeId !== null && assigneeId !== member.id) await events.assigned(found.id, assigneeId);
}

/** Severity of a security case: a CVSS 3.1/4.0 vector with its computed score, a CWE and the affected versions. */
export async function setSeverity(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  input: { vector: string; cwe: string; affectedVersions: string },
): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  if (found.kind !== 'security') throw badInput('Only security cases have a severity.');
  checkText(input.vector, 'The CVSS vector', TEXT_LIMITS.metadata);
  checkText(input.cwe, 'The CWE', TEXT_LIMITS.metadata);
  checkText(input.affectedVersions, 'The affected versions', TEXT_LIMITS.metadata);
  const severity = input.vector.trim() === '' ? null : scoreCvss(input.vector);
  const cwe = checkCwe(input.cwe);
  const affected = input.affectedVersions.trim().slice(0, 500) || null;
  await db.transaction().execute(async (trx) => {
    await updateCase(trx, found.id, {
      severity_vector: severity?.vector ?? null,
      severity_score: severity ? severity.score.toFixed(1) : null,
      severity_rating: severity?.rating ?? null,
      cwe,
      affected_versions: affected,
    });
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'case.severity-set',
      details: { vector: severity?.vector ?? null, score: severity?.score ?? null, cwe, affectedVersions: affected },
    });
  });
}

/** The embargo / disclosure date (null clears it). */
export async function setEmbargo(db: Kysely<Database>, member: SignedInMember, reference: string, date: string): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  const value = date.trim() === '' ? null : parseDay(date).toISOString().slice(0, 10);
  await db.transaction().execute(async (trx) => {
    await setEmbargoDay(trx, found.id, value);
    await appendAudit(trx, { caseId: found.id, actorMemberId: member.id, action: 'case.embargo-set', details: { until: date.trim() || null } });
  });
}

/** The flag for a security case whose embargo broke: handle it ahead of everything else. */
export async function setExpedited(db: Kysely<Database>, member: SignedInMember, reference: string, expedited: boolean): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  if (found.kind !== 'security') throw badInput('Only security cases can be expedited.');
  await db.transaction().execute(async (trx) => {
    await updateCase(trx, found.id, { expedited });
    await appendAudit(trx, { caseId: found.id, actorMemberId: member.id, action: 'case.expedited', details: { expedited } });
  });
}

function parseDay(input: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.trim());
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== input.trim()) throw badInput('Give the date as YYYY-MM-DD.');
  return date;
}
