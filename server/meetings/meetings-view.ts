// The case page's closed meetings (issue 11 §1). OWNER: helper "meetings". Shown to the case's readers:
// each meeting with its time, link, who is invited (computed, never typed) and who was removed and why,
// attendance and minutes; the forms to call, move or cancel one (approvers, and the SRT on a security
// case), to record attendance and add minutes (invitees). A liaison sees the record, not the link.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { caseMeetings, meetingInvitees, membersByRole, minutesByMeeting } from '../../db/meetings.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { MAX_DURATION_MINUTES, MIN_DURATION_MINUTES } from './meeting-input';
import { mayCallMeetings } from './meetings';

export const REMOVED_WORDS: Record<string, string> = {
  'hard-conflict': 'a hard conflict of interest on this case',
  'no-longer-invited': 'no longer an approver or SRT member when the meeting was moved',
};

/** How the form wants a time typed, and the same for a time shown (always UTC). */
export const TIME_HINT =
  'Type the time in UTC as YYYY-MM-DD HH:MM (for example 2026-12-03 14:00), or add your offset from UTC (2026-12-03 15:00+01:00).';
const shownTime = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/** What the case page shows of it to this member; null: nothing. */
export async function meetingsView(db: Kysely<Database>, member: SignedInMember, detail: CaseDetail, now: Date) {
  const meetings = await caseMeetings(db, detail.id);
  const ids = meetings.map((m) => m.id);
  const [invitees, minutes, members] = await Promise.all([
    meetingInvitees(db, ids),
    minutesByMeeting(db, ids),
    membersByRole(db),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const liaison = member.role === 'liaison';
  return {
    canCall: !liaison && mayCallMeetings(member, detail.kind),
    timeHint: TIME_HINT,
    minDuration: MIN_DURATION_MINUTES,
    maxDuration: MAX_DURATION_MINUTES,
    whoIsInvited:
      detail.kind === 'security'
        ? 'Everyone is invited by the governance: all current approvers and the Security Response Team. Nobody can be added by hand.'
        : 'Everyone is invited by the governance: all current approvers except any with a hard conflict of interest on this case. Nobody can be added by hand; a hard conflict recorded later removes that person and cancels their invitation.',
    meetings: meetings.map((m) => {
      const mine = invitees.filter((i) => i.meetingId === m.id);
      const invitedNow = mine.some((i) => i.memberId === member.id && i.removedAt === null);
      const started = m.startsAt.getTime() <= now.getTime();
      const open = m.cancelledAt === null;
      return {
        id: m.id,
        startsAt: m.startsAt,
        shownStart: shownTime(m.startsAt),
        durationMinutes: m.durationMinutes,
        link: liaison ? null : m.link,
        sequence: m.sequence,
        cancelled: !open,
        started,
        calledBy: m.calledByMemberId ? (names.get(m.calledByMemberId) ?? 'a former member') : 'a former member',
        invited: mine
          .filter((i) => i.removedAt === null)
          .map((i) => ({ id: i.memberId, name: names.get(i.memberId) ?? 'A former member', attended: i.attended })),
        removed: mine
          .filter((i) => i.removedAt !== null)
          .map((i) => ({
            id: i.memberId,
            name: names.get(i.memberId) ?? 'A former member',
            because: REMOVED_WORDS[i.removedReason ?? ''] ?? 'removed',
          })),
        attendanceRecorded: m.attendanceRecordedAt !== null,
        minutes: minutes.get(m.id) ?? [],
        canChange: open && !started && !liaison && mayCallMeetings(member, detail.kind),
        canRecord: open && started && invitedNow && !liaison,
        canWriteMinutes: open && started && invitedNow && !liaison,
      };
    }),
  };
}
