// What mailing a closed meeting's invitations needs: the copies changed and not mailed yet, one copy
// locked while it is sent, and the SEQUENCE mailed. Jobs carry ids only; addresses are read here.
import type { Kysely, Transaction } from 'kysely';
import type { CaseKind, Database } from './database';
import { MEETING_COLUMNS, meetingInvitees, toMeeting, type InviteeRow, type MeetingRow } from './meetings.queries';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Invitees whose copy of the event was changed and not mailed yet: (meeting, member, sequence). One
 * removed before anything was mailed to them needs nothing (they never heard of it).
 */
export async function unmailedInvitees(
  db: Db,
  options: { meetingId?: string; limit?: number } = {},
): Promise<{ meetingId: string; caseId: string; memberId: string; sequence: number }[]> {
  let query = db
    .selectFrom('meeting_invitees as i')
    .innerJoin('meetings as m', 'm.id', 'i.meeting_id')
    .select(['i.meeting_id', 'm.case_id', 'i.member_id', 'i.sequence']);
  if (options.meetingId) query = query.where('i.meeting_id', '=', options.meetingId);
  const rows = await query
    .where((eb) =>
      eb.or([
        eb.and([eb('i.mailed_sequence', 'is', null), eb('i.removed_at', 'is', null), eb('m.cancelled_at', 'is', null)]),
        eb('i.mailed_sequence', '<', eb.ref('i.sequence')),
      ]),
    )
    .limit(options.limit ?? 500)
    .execute();
  return rows.map((r) => ({ meetingId: r.meeting_id, caseId: r.case_id, memberId: r.member_id, sequence: r.sequence }));
}

export interface InviteeMailing {
  meeting: MeetingRow;
  reference: string;
  kind: CaseKind;
  invitee: InviteeRow;
  email: string;
  name: string;
}

/** One invitee's copy with what its mail needs, locked while it is sent (a second instance waits, then sees it mailed). */
export async function lockInviteeForMailing(
  trx: Transaction<Database>,
  meetingId: string,
  memberId: string,
): Promise<InviteeMailing | undefined> {
  const locked = await trx
    .selectFrom('meeting_invitees')
    .select(['meeting_id'])
    .where('meeting_id', '=', meetingId)
    .where('member_id', '=', memberId)
    .forUpdate()
    .executeTakeFirst();
  if (!locked) return undefined;
  const [invitee] = (await meetingInvitees(trx, [meetingId])).filter((i) => i.memberId === memberId);
  const meeting = await trx
    .selectFrom('meetings as m')
    .innerJoin('cases as c', 'c.id', 'm.case_id')
    .innerJoin('members as p', (j) => j.on('p.id', '=', memberId))
    .select([...MEETING_COLUMNS.map((c) => `m.${c}` as const), 'c.reference', 'c.kind', 'p.email', 'p.name'])
    .where('m.id', '=', meetingId)
    .executeTakeFirst();
  if (!invitee || !meeting) return undefined;
  return {
    meeting: toMeeting(meeting),
    reference: meeting.reference,
    kind: meeting.kind,
    invitee,
    email: meeting.email,
    name: meeting.name,
  };
}

export async function recordMailed(db: Db, meetingId: string, memberId: string, sequence: number): Promise<void> {
  await db
    .updateTable('meeting_invitees')
    .set({ mailed_sequence: sequence })
    .where('meeting_id', '=', meetingId)
    .where('member_id', '=', memberId)
    .execute();
}
