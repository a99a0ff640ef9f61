// What is recorded after a closed meeting: who attended (by an invitee who reads the case, once the
// meeting has started), and its minutes — an encrypted message with role `meeting-minutes`, written in
// the browser like a comment (to the case's readers) and linked to the meeting.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { caseMeetings, linkMinutes, meetingInvitees, setAttendance, type MeetingRow } from '../../db/meetings.queries';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { addressCaseMessage, insertCaseMessage } from '../cases/case-messages';
import { requireReadableCase } from '../cases/case-work';
import { badInput, forbidden, notFound } from '../errors';
import { badField } from '../field-errors';
import { refuseLiaison } from '../governance/liaison-limits';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The case and the meeting, when this member reads the case and is invited to the meeting. */
async function requireInvitedReader(
  db: Kysely<Database> | Transaction<Database>,
  found: CaseDetail,
  member: SignedInMember,
  meetingId: string,
): Promise<MeetingRow> {
  refuseLiaison(member, 'record a closed meeting');
  const meeting = UUID.test(meetingId) ? (await caseMeetings(db, found.id)).find((m) => m.id === meetingId) : undefined;
  if (!meeting) throw notFound('There is no such meeting on this case.');
  const invitee = (await meetingInvitees(db, [meeting.id])).find(
    (i) => i.memberId === member.id && i.removedAt === null,
  );
  if (!invitee) throw forbidden('Only a member invited to this meeting can record it.');
  return meeting;
}

/** Records who of the current invitees attended; everyone else invited did not. Once it has started. */
export async function recordAttendance(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  meetingId: string,
  attendedIds: readonly string[],
  now: Date,
): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  await db.transaction().execute(async (trx) => {
    const meeting = await requireInvitedReader(trx, found, member, meetingId);
    if (meeting.cancelledAt) throw badInput('This meeting was cancelled: nobody attended it.');
    if (meeting.startsAt.getTime() > now.getTime())
      throw badField('attended', 'Attendance is recorded once the meeting has started.');
    const invited = new Set(
      (await meetingInvitees(trx, [meeting.id])).filter((i) => i.removedAt === null).map((i) => i.memberId),
    );
    const attended = [...new Set(attendedIds)];
    if (attended.some((id) => !invited.has(id)))
      throw badField('attended', 'Only members invited to this meeting can be recorded as attending it.');
    await setAttendance(trx, meeting.id, attended, member.id);
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'meeting.attendance-recorded',
      details: { meetingId: meeting.id, attendedMemberIds: attended, attended: attended.length, invited: invited.size },
    });
  });
}

/** Stores the minutes a reader's browser encrypted to the case's readers, linked to the meeting. */
export async function addMinutes(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  meetingId: string,
  message: string,
  events?: Pick<CaseEvents, 'messageAdded'>,
): Promise<{ id: string }> {
  const found = await requireReadableCase(db, member, reference);
  const meeting = await requireInvitedReader(db, found, member, meetingId);
  const addressed = await addressCaseMessage(db, found, {
    role: 'meeting-minutes',
    authorMemberId: member.id,
    message,
    withReporter: false,
    auditDetails: { meetingId: meeting.id },
  });
  const id = await db.transaction().execute(async (trx) => {
    const stored = await insertCaseMessage(trx, found.id, addressed);
    await linkMinutes(trx, meeting.id, stored);
    return stored;
  });
  await events?.messageAdded(found.id, member.id);
  return { id };
}
