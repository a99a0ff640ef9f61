import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database, MessageRole } from './database';

/** How far a member had read a case: the newest message shown when they last opened it. */
export interface CaseRead {
  seenMessageAt: Date | null;
  seenMessageId: string | null;
}

/** What is new on a case for one member: roles of messages others wrote since they last looked. */
export interface UnreadState {
  /** The member has never opened the case. */
  neverOpened: boolean;
  roles: Set<MessageRole>;
}

/** The member's own read mark on a case, or undefined when they have never opened it. */
export async function findCaseRead(db: Kysely<Database>, memberId: string, caseId: string): Promise<CaseRead | undefined> {
  const row = await db
    .selectFrom('case_reads')
    .select(['seen_message_at', 'seen_message_id'])
    .where('member_id', '=', memberId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return row ? { seenMessageAt: row.seen_message_at, seenMessageId: row.seen_message_id } : undefined;
}

/**
 * Marks the case read by this member up to `newest` (the newest message they were shown). Never
 * moves the mark back: a tab opened earlier that reports later does not unread what another showed.
 */
export async function markCaseRead(db: Kysely<Database>, memberId: string, caseId: string, newestMessageId: string | null): Promise<void> {
  // The message's own created_at, read here: a JavaScript Date would drop its microseconds.
  const seenAt = newestMessageId === null ? null : sql<Date>`(SELECT created_at FROM messages WHERE id = ${newestMessageId} AND case_id = ${caseId})`;
  await db
    .insertInto('case_reads')
    .values({ member_id: memberId, case_id: caseId, seen_message_at: seenAt, seen_message_id: newestMessageId })
    .onConflict((oc) =>
      oc.columns(['member_id', 'case_id']).doUpdateSet({
        seen_message_at: sql`CASE WHEN case_reads.seen_message_at IS NULL OR (excluded.seen_message_at, excluded.seen_message_id) > (case_reads.seen_message_at, case_reads.seen_message_id) THEN excluded.seen_message_at ELSE case_reads.seen_message_at END`,
        seen_message_id: sql`CASE WHEN case_reads.seen_message_at IS NULL OR (excluded.seen_message_at, excluded.seen_message_id) > (case_reads.seen_message_at, case_reads.seen_message_id) THEN excluded.seen_message_id ELSE case_reads.seen_message_id END`,
        opened_at: sql`now()`,
      }),
    )
    .execute();
}

type MessageScope = ExpressionBuilder<Database & { m: Database['messages']; cr: Database['case_reads'] }, 'm' | 'cr'>;

/** A message someone else wrote after the member's read mark (every such message when the mark is missing). */
function newForMember(eb: MessageScope, memberId: string): Expression<SqlBool> {
  return eb.and([
    sql<SqlBool>`m.author_member_id IS DISTINCT FROM ${memberId}`,
    sql<SqlBool>`(cr.member_id IS NULL OR cr.seen_message_at IS NULL OR (m.created_at, m.id) > (cr.seen_message_at, cr.seen_message_id))`,
  ]);
}

/** What is new for the member on each of these cases, among those they may read; cases with nothing new are absent. */
export async function unreadByCase(db: Kysely<Database>, memberId: string, caseIds: readonly string[]): Promise<Map<string, UnreadState>> {
  const states = new Map<string, UnreadState>();
  if (caseIds.length === 0) return states;
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('case_readers as r', (join) => join.onRef('r.case_id', '=', 'm.case_id').on('r.member_id', '=', memberId))
    .leftJoin('case_reads as cr', (join) => join.onRef('cr.case_id', '=', 'm.case_id').on('cr.member_id', '=', memberId))
    .select(['m.case_id', 'm.role', sql<boolean>`bool_or(cr.member_id IS NULL)`.as('never_opened')])
    .where('m.case_id', 'in', caseIds)
    .where((eb) => newForMember(eb, memberId))
    .groupBy(['m.case_id', 'm.role'])
    .execute();
  for (const row of rows) {
    const state = states.get(row.case_id) ?? { neverOpened: row.never_opened, roles: new Set<MessageRole>() };
    state.roles.add(row.role);
    states.set(row.case_id, state);
  }
  return states;
}

/** How many of the cases this member may read have something new for them: a figure over their readable cases only. */
export async function countUnreadCases(db: Kysely<Database>, memberId: string): Promise<number> {
  const row = await db
    .selectFrom('case_readers as r')
    .leftJoin('case_reads as cr', (join) => join.onRef('cr.case_id', '=', 'r.case_id').on('cr.member_id', '=', memberId))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('r.member_id', '=', memberId)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('messages as m')
          .select(sql`1`.as('one'))
          .whereRef('m.case_id', '=', 'r.case_id')
          .where((eb) => newForMember(eb as unknown as MessageScope, memberId)),
      ),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
