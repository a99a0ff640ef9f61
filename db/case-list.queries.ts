import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { CaseKind, Database } from './database';

/** Filters of the dashboard's case list; every one narrows the member's readable cases. */
export interface CaseListFilters {
  kind?: CaseKind;
  status?: string;
  /** 'me': assigned to the member; 'none': unassigned. */
  assigned?: 'me' | 'none';
  overdue?: boolean;
}

export type CaseListSort = 'newest' | 'oldest';

/** Where the previous page ended: keyset pagination on (created_at, id). */
export interface CaseCursor {
  createdAt: Date;
  id: string;
}

export interface CaseListRow {
  id: string;
  reference: string;
  kind: CaseKind;
  status: string;
  channel: string;
  createdAt: Date;
  assigneeName: string | null;
  severityScore: string | null;
  severityRating: string | null;
  expedited: boolean;
  /** A security case whose embargo day has come with no advisory published (issue 12 §2). */
  embargoPassed: boolean;
  acknowledgedAt: Date | null;
  triagedAt: Date | null;
  acknowledgeDueAt: Date | null;
  triageDueAt: Date | null;
}

/**
 * One page of the cases this member may read — the join on case_readers is what hides every case
 * the governance did not route to them. No content is selected, only triage metadata.
 */
export async function listReadableCases(
  db: Kysely<Database>,
  memberId: string,
  options: { filters: CaseListFilters; sort: CaseListSort; after?: CaseCursor; limit: number; now: Date },
): Promise<CaseListRow[]> {
  const descending = options.sort === 'newest';
  // Keyset order (created_at, id) on the reader row's copy: the member's index in order, read from
  // the cursor until the page is full; only the page's cases are fetched.
  let query = db
    .selectFrom('case_readers as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .leftJoin('members as a', 'a.id', 'c.assignee_id')
    .select([
      'c.id',
      'c.reference',
      'c.kind',
      'c.status',
      'c.channel',
      'c.created_at',
      'a.name as assignee_name',
      'c.severity_score',
      'c.severity_rating',
      'c.expedited',
      sql<boolean>`(c.kind = 'security' AND c.embargo_until <= ${options.now.toISOString().slice(0, 10)}::date AND c.status NOT IN ('published', 'closed'))`.as(
        'embargo_passed',
      ),
      'c.acknowledged_at',
      'c.triaged_at',
      'c.acknowledge_due_at',
      'c.triage_due_at',
    ])
    .where('r.member_id', '=', memberId)
    .where((eb) => readerFilters(eb, memberId, options.filters, options.now));
  const { kind, status, assigned } = options.filters;
  if (kind || status || assigned) query = query.where((eb) => anyCounted(eb, memberId, options.filters));
  if (options.after) {
    const { createdAt, id } = options.after;
    query = query.where((eb) =>
      descending
        ? eb(eb.refTuple('r.case_created_at', 'r.case_id'), '<', eb.tuple(createdAt, id))
        : eb(eb.refTuple('r.case_created_at', 'r.case_id'), '>', eb.tuple(createdAt, id)),
    );
  }
  const rows = await query
    .orderBy('r.case_created_at', descending ? 'desc' : 'asc')
    .orderBy('r.case_id', descending ? 'desc' : 'asc')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    kind: r.kind,
    status: r.status,
    channel: r.channel,
    createdAt: r.created_at,
    assigneeName: r.assignee_name,
    severityScore: r.severity_score,
    severityRating: r.severity_rating,
    expedited: r.expedited,
    embargoPassed: r.embargo_passed === true,
    acknowledgedAt: r.acknowledged_at,
    triagedAt: r.triaged_at,
    acknowledgeDueAt: r.acknowledge_due_at,
    triageDueAt: r.triage_due_at,
  }));
}

/**
 * Counts per status of the member's readable cases (other filters than status applied): the
 * maintained counts (migration 2026-12-01-11), summed over their slots; for "overdue", which depends
 * on the time, the reader rows of the cases whose clocks run (a few per cent of them).
 */
export async function countReadableByStatus(
  db: Kysely<Database>,
  memberId: string,
  filters: CaseListFilters,
  now: Date,
): Promise<Record<string, number>> {
  const rows = filters.overdue
    ? await db
        .selectFrom('case_readers as r')
        .select(['r.case_status as status', (eb) => eb.fn.countAll<string>().as('n')])
        .where('r.member_id', '=', memberId)
        .where((eb) => readerFilters(eb, memberId, { ...filters, status: undefined }, now))
        .groupBy('r.case_status')
        .execute()
    : await db
        .selectFrom('case_reader_counts as k')
        .select(['k.case_status as status', (eb) => eb.fn.sum<string>('k.n').as('n')])
        .where('k.member_id', '=', memberId)
        .where((eb) => countFilters(eb, memberId, { ...filters, status: undefined }))
        .groupBy('k.case_status')
        .execute();
  return Object.fromEntries(rows.filter((r) => Number(r.n) > 0).map((r) => [r.status, Number(r.n)]));
}

/**
 * True when the maintained counts hold a case for these filters (but "overdue"): the page query's
 * guard, so that a filter matching none of the member's cases does not walk all of their entries.
 */
function anyCounted(
  eb: ExpressionBuilder<Database & { r: Database['case_readers'] }, 'r'>,
  memberId: string,
  filters: CaseListFilters,
): Expression<SqlBool> {
  const counted = eb
    .selectFrom('case_reader_counts as k')
    .select((k) => k.fn.sum<string>('k.n').as('n'))
    .where('k.member_id', '=', memberId)
    .where((k) => countFilters(k, memberId, filters));
  return sql<SqlBool>`(${counted}) > 0`;
}

/** The filters but "overdue", on the maintained counts' keys. */
function countFilters(
  eb: ExpressionBuilder<Database & { k: Database['case_reader_counts'] }, 'k'>,
  memberId: string,
  filters: CaseListFilters,
): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  if (filters.kind) parts.push(eb('k.case_kind', '=', filters.kind));
  if (filters.status) parts.push(eb('k.case_status', '=', filters.status));
  if (filters.assigned === 'me') parts.push(eb('k.case_assignee_id', '=', memberId));
  if (filters.assigned === 'none') parts.push(eb('k.case_assignee_id', 'is', null));
  return parts.length > 0 ? eb.and(parts) : sql<SqlBool>`true`;
}

/** The filters, on the reader row's copy of its case. */
function readerFilters(
  eb: ExpressionBuilder<Database & { r: Database['case_readers'] }, 'r'>,
  memberId: string,
  filters: CaseListFilters,
  now: Date,
): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  if (filters.kind) parts.push(eb('r.case_kind', '=', filters.kind));
  if (filters.status) parts.push(eb('r.case_status', '=', filters.status));
  if (filters.assigned === 'me') parts.push(eb('r.case_assignee_id', '=', memberId));
  if (filters.assigned === 'none') parts.push(eb('r.case_assignee_id', 'is', null));
  // A clock that ran out before its step was done.
  if (filters.overdue) parts.push(eb('r.case_clock_due_at', '<', now));
  return parts.length > 0 ? eb.and(parts) : sql<SqlBool>`true`;
}
