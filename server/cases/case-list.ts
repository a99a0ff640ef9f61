// The dashboard's case list: only readable cases, filtered, sorted, paged by keyset.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import {
  countReadableByStatus,
  listReadableCases,
  type CaseCursor,
  type CaseListFilters,
  type CaseListRow,
  type CaseListSort,
} from '../../db/case-list.queries';
import { NEWS, countUnreadCases, unreadByCase, type UnreadState } from '../../db/case-reads.queries';
import { isOverdue } from './clocks';
import type { SignedInMember } from '../auth/signed-in-member';
import { isReportKind } from '../intake/report-form';
import { STATES, stateOf } from './workflow';

export const PAGE_SIZE = 50;

export interface CaseListQuery {
  filters: CaseListFilters;
  sort: CaseListSort;
  after?: CaseCursor;
}

/** Reads the list's query string leniently: an unknown value is ignored, never an error page. */
export function parseCaseListQuery(query: Record<string, unknown>): CaseListQuery {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : '');
  const kind = isReportKind(text('kind')) ? (text('kind') as CaseListFilters['kind']) : undefined;
  const knownStatuses = new Set(Object.values(STATES).flatMap((states) => Object.keys(states)));
  const status = knownStatuses.has(text('status')) ? text('status') : undefined;
  const assigned =
    text('assigned') === 'me' || text('assigned') === 'none' ? (text('assigned') as 'me' | 'none') : undefined;
  return {
    filters: { kind, status, assigned, overdue: text('overdue') === '1' },
    sort: text('sort') === 'oldest' ? 'oldest' : 'newest',
    after: decodeCursor(text('after')),
  };
}

/** What is new for this member on a case, in words for the list (empty: nothing new). */
export function unreadNotes(state: UnreadState | undefined): string[] {
  if (!state) return [];
  if (state.neverOpened) return ['New case: not opened yet'];
  const notes: string[] = [];
  if (state.news & NEWS.reporterMessage) notes.push('New message from the reporter');
  if (state.news & NEWS.comment) notes.push('New comment');
  if (state.news & NEWS.reply) notes.push('New reply to the reporter');
  if (state.news & NEWS.report) notes.push('New report material');
  return notes;
}

export interface CaseListPage {
  rows: (CaseListRow & { statusLabel: string; overdue: boolean; unread: string[] })[];
  counts: Record<string, number>;
  total: number;
  /** Readable cases with something new for this member (never counting a case they may not read). */
  unreadCases: number;
  nextCursor: string | null;
}

export async function listCasesForMember(
  db: Kysely<Database>,
  member: SignedInMember,
  query: CaseListQuery,
  now = new Date(),
): Promise<CaseListPage> {
  const [rows, counts, unreadCases] = await Promise.all([
    listReadableCases(db, member.id, {
      filters: query.filters,
      sort: query.sort,
      after: query.after,
      limit: PAGE_SIZE + 1,
      now,
    }),
    countReadableByStatus(db, member.id, query.filters, now),
    countUnreadCases(db, member.id),
  ]);
  const page = rows.slice(0, PAGE_SIZE);
  const last = page[page.length - 1];
  const unread = await unreadByCase(
    db,
    member.id,
    page.map((r) => r.id),
  );
  return {
    rows: page.map((r) => ({
      ...r,
      statusLabel: stateOf(r.kind, r.status).label,
      overdue: isOverdue(r, now),
      unread: unreadNotes(unread.get(r.id)),
    })),
    counts,
    unreadCases,
    total: sum(counts),
    nextCursor: rows.length > PAGE_SIZE && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export function encodeCursor(cursor: CaseCursor): string {
  return `${cursor.createdAt.toISOString()}_${cursor.id}`;
}

export function decodeCursor(value: string): CaseCursor | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)_([0-9a-f-]{36})$/.exec(value);
  if (!match) return undefined;
  const createdAt = new Date(match[1]!);
  return Number.isNaN(createdAt.getTime()) ? undefined : { createdAt, id: match[2]! };
}
