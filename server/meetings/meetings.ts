// Closed meetings on a case (issue 11 §1): called, moved and cancelled by an approver who reads the
// case (or, on a security case, an SRT member who reads it); never by a liaison. The invitation list
// is computed (invitation-list.ts) at the call and again at every move. Each change raises the
// iCalendar SEQUENCE of the copies it touches; the mail goes after the commit (meeting-mail.ts).
import type { Kysely, Transaction } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import {
  caseMeetings,
  insertMeeting,
  inviteMember,
  lockMeeting,
  meetingInvitees,
  removeInvitee,
  setActiveInviteesSequence,
  updateMeeting,
  type MeetingRow,
} from '../../db/meetings.queries';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { requireReadableCase } from '../cases/case-work';
import { badInput, forbidden, notFound } from '../errors';
import { badField } from '../field-errors';
import { refuseLiaison } from '../governance/liaison-limits';
import { invitationList } from './invitation-list';
import type { MeetingInput } from './meeting-input';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether this member may call, move or cancel meetings on this case (they read it already). */
export function mayCallMeetings(member: Pick<SignedInMember, 'role'>, kind: CaseKind): boolean {
  return member.role === 'approver' || (member.role === 'srt' && kind === 'security');
}

/** The case, when this member may call its meetings; refuses in plain words otherwise. */
export async function requireMeetingCaller(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
): Promise<CaseDetail> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'call, move or cancel a closed meeting');
  if (!mayCallMeetings(member, found.kind))
    throw forbidden(
      found.kind === 'coc'
        ? 'Only an approver can call a closed meeting on a Code of Conduct case.'
        : 'Only an approver or a member of the Security Response Team can call a closed meeting.',
    );
  return found;
}

/** Calls a closed meeting: invites everyone the governance says, and nobody else. */
export async function callMeeting(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  input: MeetingInput,
  events?: Pick<CaseEvents, 'meetingChanged'>,
): Promise<{ meetingId: string; invited: string[] }> {
  const found = await requireMeetingCaller(db, member, reference);
  const called = await db.transaction().execute(async (trx) => {
    // The same form sent twice (a double click, a reload) calls one meeting.
    const same = (await caseMeetings(trx, found.id)).find(
      (m) => m.cancelledAt === null && m.startsAt.getTime() === input.startsAt.getTime(),
    );
    if (same) throw badField('startsAt', 'A closed meeting at this time is called already on this case (see above).');
    const meetingId = await insertMeeting(trx, { caseId: found.id, ...input, calledByMemberId: member.id });
    const invited = await invitationList(trx, found.id, found.kind);
    for (const memberId of invited) await inviteMember(trx, meetingId, memberId, 0);
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'meeting.called',
      details: {
        meetingId,
        startsAt: input.startsAt.toISOString(),
        durationMinutes: input.durationMinutes,
        invitedMemberIds: invited,
        invited: invited.length,
      },
    });
    return { meetingId, invited };
  });
  await events?.meetingChanged(called.meetingId);
  return called;
}

/** The meeting, locked, while it can still change: not cancelled, not started. */
async function openMeeting(
  trx: Transaction<Database>,
  caseId: string,
  meetingId: string,
  now: Date,
): Promise<MeetingRow> {
  const meeting = UUID.test(meetingId) ? await lockMeeting(trx, caseId, meetingId) : undefined;
  if (!meeting) throw notFound('There is no such meeting on this case.');
  if (meeting.cancelledAt) throw badInput('This meeting was cancelled; call a new one instead.');
  if (meeting.startsAt.getTime() <= now.getTime())
    throw badInput('This meeting has started: it can no longer be moved or cancelled. Call a new one if needed.');
  return meeting;
}

/**
 * Moves a meeting (a new time, duration or link): the same event for calendars, at the next SEQUENCE.
 * The list is computed again: new approvers are added, anyone no longer invited gets a cancellation.
 */
export async function moveMeeting(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  meetingId: string,
  input: MeetingInput,
  now: Date,
  events?: Pick<CaseEvents, 'meetingChanged'>,
): Promise<{ added: string[]; removed: string[] }> {
  const found = await requireMeetingCaller(db, member, reference);
  const moved = await db.transaction().execute(async (trx) => {
    const meeting = await openMeeting(trx, found.id, meetingId, now);
    const sequence = meeting.sequence + 1;
    await updateMeeting(trx, meeting.id, { ...input, sequence });
    await setActiveInviteesSequence(trx, meeting.id, sequence);
    const invitedNow = new Set(await invitationList(trx, found.id, found.kind));
    const before = await meetingInvitees(trx, [meeting.id]);
    const active = new Set(before.filter((i) => i.removedAt === null).map((i) => i.memberId));
    const added = [...invitedNow].filter((id) => !active.has(id));
    const removed = [...active].filter((id) => !invitedNow.has(id));
    for (const id of added) await inviteMember(trx, meeting.id, id, sequence);
    for (const id of removed) await removeInvitee(trx, meeting.id, id, 'no-longer-invited', sequence);
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'meeting.moved',
      details: {
        meetingId: meeting.id,
        sequence,
        startsAt: input.startsAt.toISOString(),
        durationMinutes: input.durationMinutes,
        addedMemberIds: added,
        removedMemberIds: removed,
      },
    });
    return { added, removed };
  });
  await events?.meetingChanged(meetingId);
  return moved;
}

/** Cancels a meeting: every current invitee's calendar gets METHOD:CANCEL at the next SEQUENCE. */
export async function cancelMeeting(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  meetingId: string,
  now: Date,
  events?: Pick<CaseEvents, 'meetingChanged'>,
): Promise<void> {
  const found = await requireMeetingCaller(db, member, reference);
  await db.transaction().execute(async (trx) => {
    const meeting = await openMeeting(trx, found.id, meetingId, now);
    const sequence = meeting.sequence + 1;
    await updateMeeting(trx, meeting.id, { sequence, cancelledAt: now });
    await setActiveInviteesSequence(trx, meeting.id, sequence);
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'meeting.cancelled',
      details: { meetingId: meeting.id, sequence },
    });
  });
  await events?.meetingChanged(meetingId);
}
