import type { Kysely, Transaction } from 'kysely';
import type { Database, MeetingRemovedReason, MemberRole } from './database';

type Db = Kysely<Database> | Transaction<Database>;

export interface MeetingRow {
  id: string;
  caseId: string;
  startsAt: Date;
  durationMinutes: number;
  link: string;
  sequence: number;
  calledByMemberId: string | null;
  createdAt: Date;
  cancelledAt: Date | null;
  attendanceRecordedAt: Date | null;
}

export interface InviteeRow {
  meetingId: string;
  memberId: string;
  invitedAt: Date;
  removedAt: Date | null;
  removedReason: MeetingRemovedReason | null;
  sequence: number;
  mailedSequence: number | null;
  attended: boolean | null;
}

export const MEETING_COLUMNS = [
  'id',
  'case_id',
  'starts_at',
  'duration_minutes',
  'link',
  'sequence',
  'called_by_member_id',
  'created_at',
  'cancelled_at',
  'attendance_recorded_at',
] as const;

export type MeetingSelect = {
  id: string;
  case_id: string;
  starts_at: Date;
  duration_minutes: number;
  link: string;
  sequence: number;
  called_by_member_id: string | null;
  created_at: Date;
  cancelled_at: Date | null;
  attendance_recorded_at: Date | null;
};

export const toMeeting = (r: MeetingSelect): MeetingRow => ({
  id: r.id,
  caseId: r.case_id,
  startsAt: r.starts_at,
  durationMinutes: r.duration_minutes,
  link: r.link,
  sequence: r.sequence,
  calledByMemberId: r.called_by_member_id,
  createdAt: r.created_at,
  cancelledAt: r.cancelled_at,
  attendanceRecordedAt: r.attendance_recorded_at,
});

/** The members an invitation list is computed from: everyone on file with their role (no keys, no addresses). */
export async function membersByRole(db: Db): Promise<{ id: string; name: string; role: MemberRole; onSrt: boolean }[]> {
  const rows = await db
    .selectFrom('members')
    .select(['id', 'name', 'role'])
    .select((eb) =>
      eb
        .exists(eb.selectFrom('srt_members').select('member_id').whereRef('srt_members.member_id', '=', 'members.id'))
        .as('on_srt'),
    )
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, onSrt: Boolean(r.on_srt) }));
}

/** Records a meeting the caller gave the time, duration and link of; its SEQUENCE starts at 0. */
export async function insertMeeting(
  db: Db,
  m: { caseId: string; startsAt: Date; durationMinutes: number; link: string; calledByMemberId: string },
): Promise<string> {
  const row = await db
    .insertInto('meetings')
    .values({
      case_id: m.caseId,
      starts_at: m.startsAt,
      duration_minutes: m.durationMinutes,
      link: m.link,
      called_by_member_id: m.calledByMemberId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The meetings of a case, soonest first. */
export async function caseMeetings(db: Db, caseId: string): Promise<MeetingRow[]> {
  const rows = await db
    .selectFrom('meetings')
    .select(MEETING_COLUMNS)
    .where('case_id', '=', caseId)
    .orderBy('starts_at')
    .execute();
  return rows.map(toMeeting);
}

/** One meeting of the case, locked for a change (FOR UPDATE inside a transaction). */
export async function lockMeeting(db: Db, caseId: string, meetingId: string): Promise<MeetingRow | undefined> {
  const row = await db
    .selectFrom('meetings')
    .select(MEETING_COLUMNS)
    .where('id', '=', meetingId)
    .where('case_id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
  return row && toMeeting(row);
}

export async function updateMeeting(
  db: Db,
  meetingId: string,
  change: { startsAt?: Date; durationMinutes?: number; link?: string; sequence: number; cancelledAt?: Date },
): Promise<void> {
  await db
    .updateTable('meetings')
    .set({
      sequence: change.sequence,
      ...(change.startsAt ? { starts_at: change.startsAt } : {}),
      ...(change.durationMinutes ? { duration_minutes: change.durationMinutes } : {}),
      ...(change.link ? { link: change.link } : {}),
      ...(change.cancelledAt ? { cancelled_at: change.cancelledAt } : {}),
    })
    .where('id', '=', meetingId)
    .execute();
}

/** Everyone ever invited to the meetings (of a case, or one), removed ones included. */
export async function meetingInvitees(db: Db, meetingIds: readonly string[]): Promise<InviteeRow[]> {
  if (meetingIds.length === 0) return [];
  const rows = await db
    .selectFrom('meeting_invitees')
    .select([
      'meeting_id',
      'member_id',
      'invited_at',
      'removed_at',
      'removed_reason',
      'sequence',
      'mailed_sequence',
      'attended',
    ])
    .where('meeting_id', 'in', meetingIds)
    .orderBy('invited_at')
    .execute();
  return rows.map((r) => ({
    meetingId: r.meeting_id,
    memberId: r.member_id,
    invitedAt: r.invited_at,
    removedAt: r.removed_at,
    removedReason: r.removed_reason,
    sequence: r.sequence,
    mailedSequence: r.mailed_sequence,
    attended: r.attended,
  }));
}

/** Invites a member (again, if they were removed) with their copy at `sequence`. */
export async function inviteMember(db: Db, meetingId: string, memberId: string, sequence: number): Promise<void> {
  await db
    .insertInto('meeting_invitees')
    .values({ meeting_id: meetingId, member_id: memberId, sequence })
    .onConflict((oc) =>
      oc.columns(['meeting_id', 'member_id']).doUpdateSet({ removed_at: null, removed_reason: null, sequence }),
    )
    .execute();
}

/** Brings every current invitee's copy to `sequence` (a move or a cancellation). */
export async function setActiveInviteesSequence(db: Db, meetingId: string, sequence: number): Promise<void> {
  await db
    .updateTable('meeting_invitees')
    .set({ sequence })
    .where('meeting_id', '=', meetingId)
    .where('removed_at', 'is', null)
    .execute();
}

export async function removeInvitee(
  db: Db,
  meetingId: string,
  memberId: string,
  reason: MeetingRemovedReason,
  sequence: number,
): Promise<void> {
  await db
    .updateTable('meeting_invitees')
    .set({ removed_at: new Date(), removed_reason: reason, sequence })
    .where('meeting_id', '=', meetingId)
    .where('member_id', '=', memberId)
    .execute();
}

/** The meetings of the case not cancelled that still invite the member, locked. */
export async function meetingsInviting(db: Db, caseId: string, memberId: string): Promise<MeetingRow[]> {
  const rows = await db
    .selectFrom('meetings as m')
    .innerJoin('meeting_invitees as i', 'i.meeting_id', 'm.id')
    .select(MEETING_COLUMNS.map((c) => `m.${c}` as const))
    .where('m.case_id', '=', caseId)
    .where('m.cancelled_at', 'is', null)
    .where('i.member_id', '=', memberId)
    .where('i.removed_at', 'is', null)
    .forUpdate()
    .execute();
  return rows.map(toMeeting);
}

/** Who attended, among the current invitees; everyone else invited did not. */
export async function setAttendance(
  db: Db,
  meetingId: string,
  attendedIds: readonly string[],
  recordedBy: string,
): Promise<void> {
  const attended = new Set(attendedIds);
  for (const invitee of await meetingInvitees(db, [meetingId]))
    if (invitee.removedAt === null)
      await db
        .updateTable('meeting_invitees')
        .set({ attended: attended.has(invitee.memberId) })
        .where('meeting_id', '=', meetingId)
        .where('member_id', '=', invitee.memberId)
        .execute();
  await db
    .updateTable('meetings')
    .set({ attendance_recorded_at: new Date(), attendance_recorded_by: recordedBy })
    .where('id', '=', meetingId)
    .execute();
}

export async function linkMinutes(db: Db, meetingId: string, messageId: string): Promise<void> {
  await db.insertInto('meeting_minutes').values({ meeting_id: meetingId, message_id: messageId }).execute();
}

/** The ids of the messages that are minutes, by meeting. */
export async function minutesByMeeting(db: Db, meetingIds: readonly string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  if (meetingIds.length === 0) return found;
  const rows = await db
    .selectFrom('meeting_minutes as mm')
    .innerJoin('messages as msg', 'msg.id', 'mm.message_id')
    .select(['mm.meeting_id', 'mm.message_id'])
    .where('mm.meeting_id', 'in', meetingIds)
    .orderBy('msg.created_at')
    .execute();
  for (const r of rows) found.set(r.meeting_id, [...(found.get(r.meeting_id) ?? []), r.message_id]);
  return found;
}
