// Changes to who a meeting invites that come from elsewhere: a hard conflict takes effect
// (server/governance/conflicts.ts calls this in its transaction), and the sweep that makes sure every
// changed copy of an event is mailed even when the enqueueing after a commit was lost.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { unmailedInvitees } from '../../db/meeting-mail.queries';
import { meetingsInviting, removeInvitee, updateMeeting } from '../../db/meetings.queries';
import { appendAudit } from '../audit/audit-log';
import type { CaseEvents } from '../cases/case-events';
import type { GovernanceActor } from '../governance/governance-actor';

/**
 * Takes a member with an effective hard conflict out of every meeting of the case not cancelled:
 * their copy gets the next SEQUENCE, so that their calendar receives a METHOD:CANCEL (none when
 * nothing was mailed to them yet). Returns the meetings they were removed from.
 */
export async function removeFromCaseMeetings(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  actor: GovernanceActor,
): Promise<string[]> {
  const meetings = await meetingsInviting(trx, caseId, memberId);
  for (const meeting of meetings) {
    const sequence = meeting.sequence + 1;
    await updateMeeting(trx, meeting.id, { sequence });
    await removeInvitee(trx, meeting.id, memberId, 'hard-conflict', sequence);
    await appendAudit(trx, {
      caseId,
      actorMemberId: actor.actorMemberId,
      actorLabel: actor.actorLabel,
      action: 'meeting.invitee-removed',
      details: { meetingId: meeting.id, memberId, because: 'hard-conflict', sequence },
    });
  }
  return meetings.map((m) => m.id);
}

/** Enqueues the mail of every meeting with a copy changed and not mailed yet (idempotent: job ids come from the copy's SEQUENCE). */
export async function enqueueUnmailedMeetingMail(
  db: Kysely<Database>,
  events: Pick<CaseEvents, 'meetingChanged'>,
): Promise<number> {
  const meetingIds = [...new Set((await unmailedInvitees(db)).map((u) => u.meetingId))];
  for (const id of meetingIds) await events.meetingChanged(id);
  return meetingIds.length;
}
