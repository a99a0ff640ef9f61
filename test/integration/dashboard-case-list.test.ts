// The dashboard's case list on a real PostgreSQL: keyset pagination over (created_at, id) returns
// every readable case exactly once in both orders — even when many cases share a timestamp — and
// the filters and counts match a model of the cases written here.
import crypto from 'node:crypto';
import type { Insertable } from 'kysely';
import type { CaseKind, CasesTable } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import {
  PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  listCasesForMember,
  parseCaseListQuery,
} from '../../server/cases/case-list';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { signedIn, submitReport } from '../helpers/dashboard';
import { addCast } from '../helpers/stored-case';

/** A case as the test knows it, to compute what each list must show. */
interface ModelCase {
  id: string;
  reference: string;
  kind: CaseKind;
  status: string;
  createdAt: Date;
  assignee: 'carol' | 'dave' | null;
  overdue: boolean;
  readers: ('carol' | 'dave')[];
}

const NOW = new Date();
const SECURITY_STATUSES = ['new', 'acknowledged', 'assessing', 'confirmed', 'closed'];
const COC_STATUSES = ['new', 'acknowledged', 'investigating', 'resolved'];
let t: TestDatabase;
let members: Awaited<ReturnType<typeof addCast>>;
const model: ModelCase[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  // No delegated SRT: the approvers read security reports too, so carol's list holds both kinds.
  members = await addCast(t.db, { carol: 'approver', dave: 'approver', frank: 'liaison' });
  const ids = { carol: members.carol!.id, dave: members.dave!.id };

  // A handful through the real submission path (created now, new, unassigned, due in the future).
  for (const [kind, involved] of [
    ['security', []],
    ['coc', []],
    ['coc', [ids.carol]],
    ['security', []],
    ['coc', [ids.dave]],
  ] as const) {
    const { reference, id } = await submitReport(t.db, kind, 'A report.', [...involved]);
    const readers = (['carol', 'dave'] as const).filter((name) => !involved.includes(ids[name] as never));
    const { created_at } = await t.db
      .selectFrom('cases')
      .select('created_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    model.push({ id, reference, kind, status: 'new', createdAt: created_at, assignee: null, overdue: false, readers });
  }

  // The rest by SQL in the same shape, backdated; seven cases share each timestamp so that the id decides.
  const rows: Insertable<CasesTable>[] = [];
  const facts: Omit<ModelCase, 'id'>[] = [];
  for (let i = 0; i < 115; i += 1) {
    const kind: CaseKind = i % 3 === 0 ? 'coc' : 'security';
    const statuses = kind === 'coc' ? COC_STATUSES : SECURITY_STATUSES;
    const status = statuses[i % statuses.length]!;
    const createdAt = new Date(NOW.getTime() - 3_600_000 - Math.floor(i / 7) * 60_000);
    const acknowledged = status !== 'new';
    const pastDue = i % 4 === 0;
    const assignee = i % 5 === 0 ? 'carol' : i % 5 === 1 ? 'dave' : null;
    const readers: ModelCase['readers'] = kind === 'coc' && i % 7 === 0 ? ['dave'] : ['carol', 'dave'];
    const reference = `${kind === 'coc' ? 'COC' : 'SEC'}-2025-${String(i + 1).padStart(4, '0')}`;
    facts.push({ reference, kind, status, createdAt, assignee, overdue: pastDue && !acknowledged, readers });
    rows.push({
      reference,
      kind,
      status,
      channel: 'web',
      receipt_lookup: crypto.randomBytes(32),
      reporter_fingerprint: crypto.randomBytes(20).toString('hex').toUpperCase(),
      reporter_public_key: '(not used by the list)',
      reporter_locked_key: '(not used by the list)',
      assignee_id: assignee ? ids[assignee] : null,
      acknowledged_at: acknowledged ? createdAt : null,
      // Past due but acknowledged is not overdue; triage stays in the future so only one clock counts.
      acknowledge_due_at: new Date(pastDue ? NOW.getTime() - 1000 : NOW.getTime() + 86_400_000),
      triage_due_at: new Date(NOW.getTime() + 10 * 86_400_000),
      // created_at is not insertable through the app's types on purpose; the test backdates.
      ...({ created_at: createdAt } as object),
    });
  }
  const inserted = await t.db.insertInto('cases').values(rows).returning(['id', 'reference']).execute();
  for (const fact of facts) {
    const id = inserted.find((r) => r.reference === fact.reference)!.id;
    model.push({ ...fact, id });
    await t.db
      .insertInto('case_readers')
      .values(fact.readers.map((name) => ({ case_id: id, member_id: ids[name] })))
      .execute();
  }
});
afterAll(async () => {
  await t.destroy();
});

const carol = () => signedIn(members.carol as MemberWithKey);
const newestFirst = (a: ModelCase, b: ModelCase) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const readable = (filter: (c: ModelCase) => boolean = () => true) =>
  model.filter((c) => c.readers.includes('carol') && filter(c));

/** Every page of carol's list for this query string, following nextCursor as the page's links do. */
async function walk(query: Record<string, string>): Promise<{ ids: string[]; pages: number[] }> {
  const ids: string[] = [];
  const pages: number[] = [];
  let after: string | undefined;
  for (let n = 0; n < 10; n += 1) {
    const page = await listCasesForMember(
      t.db,
      carol(),
      parseCaseListQuery({ ...query, ...(after ? { after } : {}) }),
      NOW,
    );
    ids.push(...page.rows.map((r) => r.id));
    pages.push(page.rows.length);
    if (!page.nextCursor) return { ids, pages };
    after = page.nextCursor;
  }
  throw new Error('the list never ended');
}

test('the model holds over a hundred cases, and shared timestamps', () => {
  expect(model.length).toBe(120);
  expect(readable().length).toBeGreaterThan(2 * PAGE_SIZE);
  expect(new Set(model.map((c) => c.createdAt.getTime())).size).toBeLessThan(model.length - 60);
});

test.each(['newest', 'oldest'])(
  'sorted %s, the pages hold every readable case exactly once, in order',
  async (sort) => {
    const expected = readable()
      .sort(newestFirst)
      .map((c) => c.id);
    if (sort === 'oldest') expected.reverse();
    const { ids, pages } = await walk({ sort });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    expect(pages).toEqual([PAGE_SIZE, PAGE_SIZE, expected.length - 2 * PAGE_SIZE]);
    // A page boundary falls inside a run of equal timestamps: only the id tells the pages apart there.
    const at = (i: number) => model.find((c) => c.id === ids[i])!.createdAt.getTime();
    expect([PAGE_SIZE, 2 * PAGE_SIZE].some((i) => at(i - 1) === at(i))).toBe(true);
  },
);

test('a cursor survives the query string, and a forged one is ignored rather than an error', async () => {
  const first = await listCasesForMember(t.db, carol(), parseCaseListQuery({}), NOW);
  const cursor = decodeCursor(first.nextCursor!);
  expect(cursor).toEqual({ createdAt: first.rows[PAGE_SIZE - 1]!.createdAt, id: first.rows[PAGE_SIZE - 1]!.id });
  expect(encodeCursor(cursor!)).toBe(first.nextCursor);
  for (const forged of [
    "2026-01-01T00:00:00.000Z_1' OR '1'='1",
    'yesterday',
    '2026-13-45T99:99:99.000Z_00000000-0000-0000-0000-000000000000',
  ]) {
    expect(parseCaseListQuery({ after: forged }).after).toBeUndefined();
  }
});

test.each<[string, Record<string, string>, (c: ModelCase) => boolean]>([
  ['kind=coc', { kind: 'coc' }, (c) => c.kind === 'coc'],
  ['kind=security', { kind: 'security' }, (c) => c.kind === 'security'],
  ['status=acknowledged', { status: 'acknowledged' }, (c) => c.status === 'acknowledged'],
  ['assigned=me', { assigned: 'me' }, (c) => c.assignee === 'carol'],
  ['assigned=none', { assigned: 'none' }, (c) => c.assignee === null],
  ['overdue=1', { overdue: '1' }, (c) => c.overdue],
  [
    'kind, status and unassigned at once',
    { kind: 'security', status: 'new', assigned: 'none' },
    (c) => c.kind === 'security' && c.status === 'new' && c.assignee === null,
  ],
  [
    'an unknown kind, status or assignment is ignored',
    { kind: 'bogus', status: 'deleted', assigned: 'someone' },
    () => true,
  ],
])('filter %s', async (_name, query, filter) => {
  const expected = readable(filter)
    .sort(newestFirst)
    .map((c) => c.id);
  expect(expected.length).toBeGreaterThan(0);
  const { ids } = await walk(query);
  expect(ids).toEqual(expected);
  const page = await listCasesForMember(t.db, carol(), parseCaseListQuery(query), NOW);
  expect(page.rows.every((r) => r.overdue === model.find((c) => c.id === r.id)!.overdue)).toBe(true);
});

/** Counts per status of carol's cases passing `filter`. */
function expectedCounts(filter: (c: ModelCase) => boolean = () => true): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of readable(filter)) counts[c.status] = (counts[c.status] ?? 0) + 1;
  return counts;
}

test('counts per status cover every readable case, whatever the status filter', async () => {
  const all = await listCasesForMember(t.db, carol(), parseCaseListQuery({}), NOW);
  expect(all.counts).toEqual(expectedCounts());
  expect(all.total).toBe(readable().length);
  // The status filter narrows the rows, not the counts that let the member switch status.
  const acknowledged = await listCasesForMember(t.db, carol(), parseCaseListQuery({ status: 'acknowledged' }), NOW);
  expect(acknowledged.counts).toEqual(expectedCounts());
  const coc = await listCasesForMember(t.db, carol(), parseCaseListQuery({ kind: 'coc' }), NOW);
  expect(coc.counts).toEqual(expectedCounts((c) => c.kind === 'coc'));
  const overdue = await listCasesForMember(t.db, carol(), parseCaseListQuery({ overdue: '1' }), NOW);
  expect(overdue.counts).toEqual(expectedCounts((c) => c.overdue));
});

test('dave, named in other CoC cases, gets his own list; a liaison none', async () => {
  const dave = signedIn(members.dave as MemberWithKey);
  const daves = model
    .filter((c) => c.readers.includes('dave'))
    .sort(newestFirst)
    .map((c) => c.id);
  const first = await listCasesForMember(t.db, dave, parseCaseListQuery({}), NOW);
  const second = await listCasesForMember(t.db, dave, parseCaseListQuery({ after: first.nextCursor }), NOW);
  const third = await listCasesForMember(t.db, dave, parseCaseListQuery({ after: second.nextCursor }), NOW);
  expect([...first.rows, ...second.rows, ...third.rows].map((r) => r.id)).toEqual(daves);
  expect(third.nextCursor).toBeNull();
  const frank = await listCasesForMember(t.db, signedIn(members.frank as MemberWithKey), parseCaseListQuery({}), NOW);
  expect(frank.total).toBe(0);
});
