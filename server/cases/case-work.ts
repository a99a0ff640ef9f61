// What a signed-in reader does with a case: open it, move it, assign it, rate it, set its embargo.
// Every function finds the case only among the member's readable cases (else: not found, exactly
// like a reference that does not exist) and writes its audit row in the same transaction.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { caseReaders, caseTimeline, findReadableCase, type CaseDetail } from '../../db/case-view.queries';
import {
  lockCaseStatus,
  setCaseAssignee,
  setCaseExpedited,
  setCaseSeverity,
  setCaseStatus,
  setEmbargoDay,
} from '../../db/case-work.queries';
import { appendAudit, listCaseAudit, type AuditEvent } from '../audit/audit-log';
import type { CaseEvents } from './case-events';
import { parseCaseReference } from './case-reference';
import { badInput, notFound } from '../errors';
import type { SignedInMember } from '../auth/signed-in-member';
import { checkCwe, scoreCvss } from './severity';
import {
  allowedMoves,
  checkDecisionMove,
  checkMove,
  isClosingMove,
  reopenTarget,
  stateOf,
  type MoveDetails,
} from './workflow';
import { badField, onField } from '../field-errors';
import { findCaseRead, markCaseRead } from '../../db/case-reads.queries';
import { TEXT_LIMITS, checkText } from '../text-checks';
import { refuseLiaison } from '../governance/liaison-limits';
import { endLiaisonsOnClose } from '../governance/liaison';
import type { GovernanceActor } from '../governance/governance-actor';
import { parseRemedy, recordRemedy, refuseRemedyWithoutDecision } from '../governance/coc-remedy';

/** One change to a case by this member, with its audit row, in one transaction. */
function changeCase(
  db: Kysely<Database>,
  caseId: string,
  member: SignedInMember,
  audit: Pick<AuditEvent, 'action' | 'details'>,
  write: (trx: Transaction<Database>) => Promise<unknown>,
): Promise<void> {
  return db.transaction().execute(async (trx) => {
    await write(trx);
    await appendAudit(trx, { caseId, actorMemberId: member.id, ...audit });
  });
}

export const CASE_NOT_FOUND = 'There is no case with this reference.';

export async function requireReadableCase(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
): Promise<CaseDetail> {
  const stored = parseCaseReference(checkText(reference, 'The case reference', TEXT_LIMITS.reference));
  const found = stored === null ? undefined : await findReadableCase(db, member.id, stored);
  if (!found) throw notFound(CASE_NOT_FOUND);
  return found;
}

/**
 * The case view: metadata, readers, timeline (ciphertext with this member's key packets), audit
 * trail, and which messages are new to this member since they last opened it. Opening marks the
 * case read for this member alone. `again`: the page shown anew after a refused form, which is
 * neither a new view nor a new read.
 */
export async function openCase(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  options: { again?: boolean } = {},
) {
  const detail = await requireReadableCase(db, member, reference);
  if (!options.again)
    await appendAudit(db, { caseId: detail.id, actorMemberId: member.id, action: 'case.viewed', details: {} });
  const [readers, timeline, audit, read] = await Promise.all([
    caseReaders(db, detail.id),
    caseTimeline(db, detail.id, member.id),
    listCaseAudit(db, detail.id),
    findCaseRead(db, member.id, detail.id),
  ]);
  const seenIndex = read?.seenMessageId ? timeline.findIndex((m) => m.id === read.seenMessageId) : -1;
  const newIds = new Set(timeline.filter((m, i) => m.authorMemberId !== member.id && i > seenIndex).map((m) => m.id));
  if (!options.again) await markCaseRead(db, member.id, detail.id, timeline.at(-1)?.id ?? null);
  return {
    detail,
    readers,
    timeline,
    audit,
    newIds,
    firstVisit: !read?.openedAt,
    moves: allowedMoves(detail.kind, detail.status),
    reopenTo: reopenTarget(detail.kind, detail.status),
  };
}

export async function moveCase(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  to: string,
  details: MoveDetails = {},
): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'move a case');
  if (found.kind === 'coc' && to === 'resolved') refuseRemedyWithoutDecision(details);
  await db.transaction().execute((trx) => applyCaseMove(trx, found, to, details, { actorMemberId: member.id }));
}

/**
 * A status move inside the caller's transaction, by a member or by a passed decision: checked
 * against the case as it is now, its clocks stopped, its audit row written.
 */
export async function applyCaseMove(
  trx: Transaction<Database>,
  found: Pick<CaseDetail, 'id' | 'kind'>,
  to: string,
  details: MoveDetails,
  actor: GovernanceActor,
  options: { onlyByDecision?: boolean } = {},
): Promise<string> {
  const current = await lockCaseStatus(trx, found.id);
  if (options.onlyByDecision) checkDecisionMove(found.kind, current.status, to);
  else checkMove(found.kind, current.status, to, details);
  const now = new Date();
  const remedy = found.kind === 'coc' && to === 'resolved' ? parseRemedy(details) : null;
  // Only what this move records: a stray field of another move's form never reaches the case or the audit log.
  const recorded = {
    ...(to === 'duplicate'
      ? { duplicateOf: parseCaseReference(details.duplicateOf!) ?? details.duplicateOf!.trim().toUpperCase() }
      : {}),
    ...(to === 'resolved' ? { resolution: details.resolution! } : {}),
  };
  await setCaseStatus(trx, found.id, {
    status: to,
    acknowledgedAt: current.acknowledgedAt ?? now,
    triagedAt: current.triagedAt ?? (stateOf(found.kind, to).triaged ? now : null),
    ...recorded,
  });
  if (remedy) await recordRemedy(trx, found.id, remedy, actor.proposalId ?? null);
  await appendAudit(trx, {
    caseId: found.id,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'case.status-changed',
    details: {
      from: current.status,
      to,
      ...recorded,
      // A remedy's typed fields where they say something: a ban's length, a public naming.
      ...(remedy?.months ? { months: remedy.months } : {}),
      ...(remedy?.namedPublicly ? { namedPublicly: true } : {}),
      ...(actor.proposalId ? { proposalId: actor.proposalId } : {}),
    },
  });
  // The case closed: a liaison's work on it ends with it (the committee keeps its own copy).
  if (isClosingMove(found.kind, to)) await endLiaisonsOnClose(trx, found.id, actor);
  return current.status;
}

/**
 * Moves a case where only a passed decision takes it (publishing an advisory), inside the
 * decision's transaction, by the same steps as a reader's move. Returns the state it moved from.
 */
export function moveCaseByDecision(
  trx: Transaction<Database>,
  found: Pick<CaseDetail, 'id' | 'kind'>,
  to: string,
  actor: GovernanceActor,
): Promise<string> {
  return applyCaseMove(trx, found, to, {}, actor, { onlyByDecision: true });
}

/** Assigns the case to one of its readers (or to nobody). */
export async function assignCase(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  assigneeId: string | null,
  events: CaseEvents,
): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'assign a case');
  if (assigneeId !== null && !(await caseReaders(db, found.id)).some((r) => r.id === assigneeId)) {
    throw badField('assignee', 'A case can only be assigned to someone who may read it.');
  }
  await changeCase(db, found.id, member, { action: 'case.assigned', details: { assigneeId } }, (trx) =>
    setCaseAssignee(trx, found.id, assigneeId),
  );
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
  refuseLiaison(member, 'set the severity');
  if (found.kind !== 'security') throw badInput('Only security cases have a severity.');
  const severity =
    input.vector.trim() === ''
      ? null
      : onField('vector', () => scoreCvss(checkedText(input.vector, 300, 'A CVSS vector')));
  const cwe = onField('cwe', () => checkCwe(checkedText(input.cwe, 20, 'A CWE')));
  const affected =
    onField('affectedVersions', () => checkedText(input.affectedVersions, 500, 'The affected versions').trim()) || null;
  await changeCase(
    db,
    found.id,
    member,
    {
      action: 'case.severity-set',
      details: { vector: severity?.vector ?? null, score: severity?.score ?? null, cwe, affectedVersions: affected },
    },
    (trx) =>
      setCaseSeverity(trx, found.id, {
        cvssVector: severity?.vector ?? null,
        cvssScore: severity?.score ?? null,
        cvssRating: severity?.rating ?? null,
        cwe,
        affectedVersions: affected,
      }),
  );
}

/** The embargo / disclosure date (null clears it). */
export async function setEmbargo(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  date: string,
): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'set the date of a case');
  const value =
    date.trim() === ''
      ? null
      : onField('embargoUntil', () => parseDay(date))
          .toISOString()
          .slice(0, 10);
  await changeCase(
    db,
    found.id,
    member,
    { action: 'case.embargo-set', details: { until: date.trim() || null } },
    (trx) => setEmbargoDay(trx, found.id, value),
  );
}

/** The flag for a security case whose embargo broke: handle it ahead of everything else. */
export async function setExpedited(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  expedited: boolean,
): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'expedite a case');
  if (found.kind !== 'security') throw badInput('Only security cases can be expedited.');
  await changeCase(db, found.id, member, { action: 'case.expedited', details: { expedited } }, (trx) =>
    setCaseExpedited(trx, found.id, expedited),
  );
}

/** Text kept in the clear: refused (not cut) when too long or when it holds control characters. */
function checkedText(input: string, maxChars: number, what: string): string {
  checkText(input, what, maxChars);
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(input)) throw badInput(`${what} may not contain control characters.`);
  if (input.length > maxChars) throw badInput(`${what} is at most ${maxChars} characters; this is ${input.length}.`);
  return input;
}

function parseDay(input: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.trim());
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== input.trim())
    throw badInput('Give the date as YYYY-MM-DD.');
  return date;
}

/** Checks a move against the case as it is now (to ask for confirmation before a closing move); throws as moveCase would. */
export async function checkCaseMove(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  to: string,
  details: MoveDetails = {},
) {
  const detail = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'move a case');
  checkMove(detail.kind, detail.status, to, details);
  return {
    detail,
    closing: isClosingMove(detail.kind, to),
    from: stateOf(detail.kind, detail.status),
    to: stateOf(detail.kind, to),
  };
}
