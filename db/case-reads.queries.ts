import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

/** Bits of case_reads.news (migration 2026-12-01-05): what arrived from others since the member last looked. */
export const NEWS = { report: 1, comment: 2, reply: 4, reporterMessage: 8 } as const;

/** How far a member had read a case: the newest message shown when they last opened it. */
export interface CaseRead {
  seenMessageAt: Date | null;
  seenMessageId: string | null;
  /** null: the member has never opened the case. */
  openedAt: Date | null;
}

/** What is new on a case for one member. */
export interface UnreadState {
  neverOpened: boolean;
  /** NEWS bits. */
  news: number;
}

/** The member's own read mark on a case they may read. */
export async function findCaseRead(
  db: Kysely<Database>,
  memberId: string,
  caseId: string,
): Promise<CaseRead | undefined> {
  const row = await db
    .selectFrom('case_reads')
    .select(['seen_message_at', 'seen_message_id', 'opened_at'])
    .where('member_id', '=', memberId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return row
    ? { seenMessageAt: row.seen_message_at, seenMessageId: row.seen_message_id, openedAt: row.opened_at }
    : undefined;
}

/**
 * Marks the case opened by this member, read up to `newestMessageId` (the newest message they were
 * shown), and keeps as news only what others wrote after it. Never moves the mark back: a tab opened
 * earlier that reports later does not unread what another showed.
 */
export async function markCaseRead(
  db: Kysely<Database>,
  memberId: string,
  caseId: string,
  newestMessageId: string | null,
): Promise<void> {
  // The message's own created_at, read here: a JavaScript Date would drop its microseconds.
  const shown = sql`(SELECT created_at, id FROM messages WHERE id = ${newestMessageId} AND case_id = ${caseId})`;
  await sql`
    WITH shown AS ${shown},
    mark AS (
      SELECT CASE WHEN cr.seen_message_at IS NULL OR (s.created_at, s.id) > (cr.seen_message_at, cr.seen_message_id)
                  THEN s.created_at ELSE cr.seen_message_at END AS at,
             CASE WHEN cr.seen_message_at IS NULL OR (s.created_at, s.id) > (cr.seen_message_at, cr.seen_message_id)
                  THEN s.id ELSE cr.seen_message_id END AS id
      FROM case_reads cr LEFT JOIN shown s ON true
      WHERE cr.member_id = ${memberId} AND cr.case_id = ${caseId}
    )
    UPDATE case_reads cr
      SET seen_message_at = mark.at, seen_message_id = mark.id, opened_at = now(),
          news = COALESCE((SELECT bit_or(message_news_flag(m.role)) FROM messages m
                           WHERE m.case_id = ${caseId} AND m.author_member_id IS DISTINCT FROM ${memberId}
                             AND (mark.at IS NULL OR (m.created_at, m.id) > (mark.at, mark.id))), 0)
      FROM mark
      WHERE cr.member_id = ${memberId} AND cr.case_id = ${caseId}`.execute(db);
}

/** What is new for the member on each of these cases; cases with nothing new are absent. */
export async function unreadByCase(
  db: Kysely<Database>,
  memberId: string,
  caseIds: readonly string[],
): Promise<Map<string, UnreadState>> {
  if (caseIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('case_reads')
    .select(['case_id', 'news', 'opened_at'])
    .where('member_id', '=', memberId)
    .where('case_id', 'in', caseIds)
    .where('news', '<>', 0)
    .execute();
  return new Map(rows.map((r) => [r.case_id, { neverOpened: r.opened_at === null, news: r.news }]));
}

/**
 * How many cases have something new for this member. A read row exists only beside a reader row
 * (its foreign key), so this counts cases the member may read and nothing else; the partial index
 * of rows with news keeps it to the member's unread rows.
 */
export async function countUnreadCases(db: Kysely<Database>, memberId: string): Promise<number> {
  const row = await db
    .selectFrom('case_reads')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('member_id', '=', memberId)
    .where('news', '<>', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
