// The case page's embargo, distributor sendings and leaks (issue 12 §2). OWNER: helper "distributors".
// Shown on security cases only; every figure comes from this case and the distributors list.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { memberNames } from '../../db/decision-people.queries';
import { caseLeaks, caseSendings, listDistributors } from '../../db/distributors.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { ADVANCE_DAYS, RELEASE_WINDOW_DAYS } from './distributor-sending';
import { dayOf, daysUntil, embargoPassed } from './embargo-dates';

export interface EmbargoView {
  embargoOn: string | null;
  /** Whole days until the embargo ends (0 on its last day), null without a date. */
  daysLeft: number | null;
  passed: boolean;
  canSend: boolean;
  advanceOpen: boolean;
  releaseOpen: boolean;
  /** Why a sending is closed now, in words; null when one is open. */
  sendingNote: string | null;
  accepted: { id: string; organisation: string; fingerprint: string; advanceSent: boolean; releaseSent: boolean }[];
  notAccepted: number;
  sendings: {
    organisation: string;
    kind: string;
    plannedOn: string;
    requestedAt: Date;
    sentAt: Date | null;
    givenUp: boolean;
    by: string;
  }[];
  leaks: { organisation: string; leakedOn: string; messageId: string; by: string; recordedAt: Date }[];
  leakChoices: { id: string; organisation: string }[];
}

/** What the case page shows of it to this member; null: nothing. */
export async function embargoView(
  db: Kysely<Database>,
  member: SignedInMember,
  detail: CaseDetail,
  now: Date,
): Promise<EmbargoView | null> {
  if (detail.kind !== 'security') return null;
  const [distributors, sendings, leaks] = await Promise.all([
    listDistributors(db),
    caseSendings(db, detail.id),
    caseLeaks(db, detail.id),
  ]);
  const names = await memberNames(db, [
    ...new Set([...sendings.map((s) => s.requestedBy), ...leaks.map((l) => l.recordedBy)].filter((id) => id !== null)),
  ]);
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? 'a former member') : 'a former member');
  const embargoOn = detail.embargoUntil ? dayOf(detail.embargoUntil) : null;
  const left = embargoOn ? daysUntil(embargoOn, now) : null;
  const advanceOpen = left !== null && left >= ADVANCE_DAYS;
  const releaseOpen = left !== null && left > 0 && left <= RELEASE_WINDOW_DAYS;
  const sentFor = (id: string, kind: string) =>
    sendings.some((s) => s.distributorId === id && s.kind === kind && s.plannedOn === embargoOn && !s.givenUpAt);
  const accepted = distributors.filter((d) => d.acceptedOn !== null);
  return {
    embargoOn,
    daysLeft: left === null ? null : Math.max(0, Math.floor(left)),
    passed: embargoPassed(embargoOn, detail.status, now) && detail.status !== 'closed',
    canSend: member.role !== 'liaison',
    advanceOpen,
    releaseOpen,
    sendingNote: sendingNote(embargoOn, left),
    accepted: accepted.map((d) => ({
      id: d.id,
      organisation: d.organisation,
      fingerprint: d.fingerprint,
      advanceSent: sentFor(d.id, 'advance'),
      releaseSent: sentFor(d.id, 'release'),
    })),
    notAccepted: distributors.length - accepted.length,
    sendings: sendings.map((s) => ({
      organisation: s.organisation,
      kind: s.kind,
      plannedOn: s.plannedOn,
      requestedAt: s.requestedAt,
      sentAt: s.sentAt,
      givenUp: s.givenUpAt !== null,
      by: nameOf(s.requestedBy),
    })),
    leaks: leaks.map((l) => ({
      organisation: l.organisation ?? 'unknown',
      leakedOn: l.leakedOn,
      messageId: l.messageId,
      by: nameOf(l.recordedBy),
      recordedAt: l.recordedAt,
    })),
    leakChoices: distributors.map((d) => ({ id: d.id, organisation: d.organisation })),
  };
}

function sendingNote(embargoOn: string | null, left: number | null): string | null {
  if (embargoOn === null || left === null)
    return 'Set the embargo date (the planned disclosure) above before sending anything to the distributors.';
  if (left <= 0) return `The embargo ended on ${embargoOn}.`;
  if (left < ADVANCE_DAYS && left > RELEASE_WINDOW_DAYS)
    return `The advisory must reach the distributors at least ${ADVANCE_DAYS} days before the disclosure on ${embargoOn}; that is too close now. The release notice can be sent in the last two days.`;
  return null;
}
