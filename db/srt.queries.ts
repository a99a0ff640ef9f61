// The Security Response Team on file (issue 11 §2): its members, its reviews, its reminders.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, MemberRole } from './database';

type Db = Kysely<Database> | Transaction<Database>;

export interface SrtTeamRow {
  memberId: string;
  name: string;
  role: MemberRole;
  since: Date;
  appointedBy: 'operator' | 'decision';
  proposalId: string | null;
}

/** The members of a delegated team, by name; none: the SRT is the approvers themselves. */
export async function listSrtTeam(db: Db): Promise<SrtTeamRow[]> {
  const rows = await db
    .selectFrom('srt_members as s')
    .innerJoin('members as m', 'm.id', 's.member_id')
    .select(['s.member_id', 'm.name', 'm.role', 's.since', 's.appointed_by', 's.proposal_id'])
    .orderBy('m.name')
    .orderBy('s.member_id')
    .execute();
  return rows.map((r) => ({
    memberId: r.member_id,
    name: r.name,
    role: r.role,
    since: r.since,
    appointedBy: r.appointed_by,
    proposalId: r.proposal_id,
  }));
}

/** Puts the member on the team as the operator's action; false when they are on it already. */
export async function insertOperatorSrtMember(db: Db, memberId: string): Promise<boolean> {
  const row = await db
    .insertInto('srt_members')
    .values({ member_id: memberId, appointed_by: 'operator' })
    .onConflict((oc) => oc.column('member_id').doNothing())
    .returning('member_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Replaces the team by a decision: members staying keep their `since`; an empty list: the approvers themselves. */
export async function replaceSrtTeam(
  trx: Transaction<Database>,
  memberIds: readonly string[],
  proposalId: string | null,
  at: Date,
): Promise<void> {
  let removal = trx.deleteFrom('srt_members');
  if (memberIds.length > 0) removal = removal.where('member_id', 'not in', [...memberIds]);
  await removal.execute();
  if (memberIds.length === 0) return;
  await trx
    .insertInto('srt_members')
    .values(
      memberIds.map((id) => ({ member_id: id, since: at, appointed_by: 'decision' as const, proposal_id: proposalId })),
    )
    .onConflict((oc) => oc.column('member_id').doNothing())
    .execute();
}

export async function insertSrtReview(
  trx: Transaction<Database>,
  kind: 'reviewed' | 'appointed',
  at: Date,
  proposalId: string | null,
): Promise<void> {
  await trx.insertInto('srt_reviews').values({ kind, reviewed_at: at, proposal_id: proposalId }).execute();
}

/** The latest review or appointment by decision, if any. */
export async function latestSrtReview(db: Db): Promise<{ at: Date; kind: 'reviewed' | 'appointed' } | null> {
  const row = await db
    .selectFrom('srt_reviews')
    .select(['reviewed_at', 'kind'])
    .orderBy('reviewed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { at: row.reviewed_at, kind: row.kind } : null;
}

/** When the installation's first approver still on file was added (null: no approver yet). */
export async function firstApproverAddedAt(db: Db): Promise<Date | null> {
  const row = await db
    .selectFrom('members')
    .select((eb) => eb.fn.min('created_at').as('first'))
    .where('role', '=', 'approver')
    .executeTakeFirst();
  return (row?.first as Date | null | undefined) ?? null;
}

/** Records that this reminder for this due date is sent; false when another instance (or an earlier run) did. */
export async function claimSrtReminder(
  trx: Transaction<Database>,
  dueAt: Date,
  kind: 'month-before' | 'overdue',
  now: Date,
): Promise<boolean> {
  const row = await trx
    .insertInto('srt_review_reminders')
    .values({ due_at: dueAt, kind, sent_at: now })
    .onConflict((oc) => oc.columns(['due_at', 'kind']).doNothing())
    .returning(sql<number>`1`.as('claimed'))
    .executeTakeFirst();
  return row !== undefined;
}

/** Security cases the member reads, with how they came to (every way to read one is as a member of the SRT). */
export async function securityCasesRead(
  db: Db,
  memberId: string,
): Promise<{ caseId: string; assigneeId: string | null }[]> {
  const rows = await db
    .selectFrom('case_readers as cr')
    .innerJoin('cases as c', 'c.id', 'cr.case_id')
    .select(['c.id', 'c.assignee_id'])
    .where('cr.member_id', '=', memberId)
    .where('c.kind', '=', 'security')
    .orderBy('c.created_at')
    .execute();
  return rows.map((r) => ({ caseId: r.id, assigneeId: r.assignee_id }));
}

/** Whether a reader of the case other than these (and not handing over) holds a packet of every message. */
export async function staysReadable(db: Db, caseId: string, leaving: readonly string[]): Promise<boolean> {
  const result = await sql<{ ok: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM case_readers cr
        JOIN member_keys mk ON mk.member_id = cr.member_id AND mk.retired_at IS NULL
       WHERE cr.case_id = ${caseId}::uuid
         AND NOT (cr.member_id = ANY(${[...leaving, '00000000-0000-0000-0000-000000000000']}::uuid[]))
         AND NOT EXISTS (SELECT 1 FROM srt_handovers h WHERE h.case_id = cr.case_id AND h.member_id = cr.member_id)
         AND NOT EXISTS (
           SELECT 1 FROM messages m
            WHERE m.case_id = cr.case_id
              AND NOT EXISTS (SELECT 1 FROM session_keys k WHERE k.message_id = m.id AND k.member_key_id = mk.id))
    ) AS ok`.execute(db);
  return result.rows[0]?.ok === true;
}

export async function insertSrtHandover(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  since: Date,
  proposalId: string | null,
): Promise<void> {
  await trx
    .insertInto('srt_handovers')
    .values({ case_id: caseId, member_id: memberId, since, proposal_id: proposalId })
    .onConflict((oc) => oc.columns(['case_id', 'member_id']).doNothing())
    .execute();
}

/** The member is on the SRT again: nothing of theirs is handed over any more. */
export async function dropSrtHandovers(trx: Transaction<Database>, memberIds: readonly string[]): Promise<void> {
  if (memberIds.length === 0) return;
  await trx
    .deleteFrom('srt_handovers')
    .where('member_id', 'in', [...memberIds])
    .execute();
}

/** Handovers not done yet, oldest first; locked so that one instance completes each. */
export async function lockSrtHandovers(
  trx: Transaction<Database>,
  limit: number,
): Promise<{ caseId: string; memberId: string; proposalId: string | null }[]> {
  const rows = await trx
    .selectFrom('srt_handovers')
    .select(['case_id', 'member_id', 'proposal_id'])
    .orderBy('since')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => ({ caseId: r.case_id, memberId: r.member_id, proposalId: r.proposal_id }));
}

export async function deleteSrtHandover(trx: Transaction<Database>, caseId: string, memberId: string): Promise<void> {
  await trx.deleteFrom('srt_handovers').where('case_id', '=', caseId).where('member_id', '=', memberId).execute();
}

/** When the proposal closed (the decisions clock at which it passed). */
export async function proposalClosedAt(db: Db, proposalId: string): Promise<Date | null> {
  const row = await db.selectFrom('proposals').select('closed_at').where('id', '=', proposalId).executeTakeFirst();
  return row?.closed_at ?? null;
}

/** Where to mail an approver (undefined: not an approver any more). */
export async function approverTarget(db: Db, memberId: string): Promise<{ name: string; email: string } | undefined> {
  return db
    .selectFrom('members')
    .select(['name', 'email'])
    .where('id', '=', memberId)
    .where('role', '=', 'approver')
    .executeTakeFirst();
}
