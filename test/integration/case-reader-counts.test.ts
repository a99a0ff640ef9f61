// The case list's maintained counts (migration 2026-12-01-11) on a real PostgreSQL: after concurrent
// submissions, moves, assignments, reader removal and addition (governance's addCaseReader /
// removeCaseReader), and a member's removal, every member's counts equal a plain count of the
// cases they read, and the list's counts per status under each filter equal the plain SQL ones.
import { sql } from 'kysely';
import type { CaseKind } from '../../db/database';
import { listCasesForMember, type CaseListQuery } from '../../server/cases/case-list';
import { assignCase, moveCase } from '../../server/cases/case-work';
import { addCaseReader, removeCaseReader } from '../../server/governance/access';
import { BY_SYSTEM } from '../../server/governance/governance-actor';
import { silentCaseEvents } from '../../server/cases/case-events';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { signedIn, submitReport } from '../helpers/dashboard';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let members: Awaited<ReturnType<typeof addCast>>;
const references: { reference: string; id: string; kind: CaseKind }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  members = await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver', dave: 'approver', erin: 'approver' });
  // Concurrent submissions: their counts land in the slots of several backends at once.
  const kinds: CaseKind[] = ['security', 'coc', 'security', 'coc', 'security', 'security', 'coc', 'security'];
  const submitted = await Promise.all(
    kinds.map(async (kind, i) => {
      const involved = kind === 'coc' && i % 3 === 1 ? [members.carol!.id] : [];
      return { ...(await submitReport(t.db, kind, `Report ${i}.`, involved)), kind };
    }),
  );
  references.push(...submitted);
}, 120_000);

afterAll(async () => {
  await t?.destroy();
});

/** Every member's maintained counts, summed over slots, against a plain count of cases joined to reader rows. */
async function expectCountsExact(): Promise<void> {
  const { rows: kept } = await sql<{ key: string; n: string }>`
    SELECT concat_ws('|', member_id, case_kind, case_status, case_assignee_id) AS key, sum(n)::text AS n
      FROM case_reader_counts GROUP BY 1 HAVING sum(n) <> 0 ORDER BY 1`.execute(t.db);
  const { rows: plain } = await sql<{ key: string; n: string }>`
    SELECT concat_ws('|', r.member_id, c.kind, c.status, c.assignee_id) AS key, count(*)::text AS n
      FROM case_readers r JOIN cases c ON c.id = r.case_id GROUP BY 1 ORDER BY 1`.execute(t.db);
  expect(kept).toEqual(plain);
  expect(plain.length).toBeGreaterThan(0);
}

/** The list's counts per status for these filters against the plainest SQL (status filter excluded, as the list does). */
async function expectListCounts(name: keyof typeof members, query: CaseListQuery): Promise<void> {
  const member = members[name]!;
  const page = await listCasesForMember(t.db, signedIn(member), query);
  const f = query.filters;
  const { rows } = await sql<{ status: string; n: string }>`
    SELECT c.status, count(*)::text AS n FROM cases c
     WHERE c.id IN (SELECT case_id FROM case_readers WHERE member_id = ${member.id})
       AND (${f.kind ?? null}::text IS NULL OR c.kind = ${f.kind ?? null})
       AND (${f.assigned ?? null}::text IS NULL OR (${f.assigned ?? null} = 'me' AND c.assignee_id = ${member.id})
            OR (${f.assigned ?? null} = 'none' AND c.assignee_id IS NULL))
     GROUP BY c.status`.execute(t.db);
  expect(page.counts).toEqual(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])));
  const listed = f.status ? (page.counts[f.status] ?? 0) : page.total;
  expect(page.rows.length).toBe(Math.min(listed, 50));
}

const QUERIES: CaseListQuery[] = [
  { filters: {}, sort: 'newest' },
  { filters: { kind: 'coc' }, sort: 'newest' },
  { filters: { kind: 'security', status: 'acknowledged' }, sort: 'oldest' },
  { filters: { assigned: 'me' }, sort: 'newest' },
  { filters: { assigned: 'none', status: 'new' }, sort: 'newest' },
];

async function expectAllLists(): Promise<void> {
  for (const name of ['alice', 'carol', 'dave'] as const) for (const q of QUERIES) await expectListCounts(name, q);
}

test('concurrent submissions are counted exactly, for every reader', async () => {
  // The reader rows a submission writes carry their case's facts, as the case holds them.
  const { rows: differing } = await sql<{ n: string }>`
    SELECT count(*)::text AS n FROM case_readers r JOIN cases c ON c.id = r.case_id
     WHERE (r.case_created_at, r.case_kind, r.case_status, r.case_assignee_id, r.case_clock_due_at)
           IS DISTINCT FROM (c.created_at, c.kind, c.status, c.assignee_id, LEAST(c.acknowledge_due_at, c.triage_due_at))`.execute(
    t.db,
  );
  expect(differing[0]!.n).toBe('0');
  await expectCountsExact();
  await expectAllLists();
  const alice = await listCasesForMember(t.db, signedIn(members.alice!), { filters: {}, sort: 'newest' });
  expect(alice.counts).toEqual({ new: 5 });
});

test('moves and assignments move the counts (concurrently, on different cases)', async () => {
  const alice = signedIn(members.alice!);
  const security = references.filter((r) => r.kind === 'security');
  const coc = references.filter((r) => r.kind === 'coc');
  await Promise.all([
    ...security.slice(0, 3).map((r) => moveCase(t.db, alice, r.reference, 'acknowledged')),
    assignCase(t.db, alice, security[3]!.reference, members.alice!.id, silentCaseEvents),
    moveCase(t.db, signedIn(members.dave!), coc[0]!.reference, 'acknowledged'),
  ]);
  await moveCase(t.db, alice, security[0]!.reference, 'assessing');
  // coc[0] names carol: dave assigns it to himself.
  await assignCase(t.db, signedIn(members.dave!), coc[0]!.reference, members.dave!.id, silentCaseEvents);
  await expectCountsExact();
  await expectAllLists();
  const page = await listCasesForMember(t.db, alice, { filters: { kind: 'security' }, sort: 'newest' });
  expect(page.counts).toEqual({ new: 2, acknowledged: 2, assessing: 1 });
});

test('a reader removed and one added later (governance) change only their own counts', async () => {
  const coc = references.find((r) => r.kind === 'coc')!;
  const before = await listCasesForMember(t.db, signedIn(members.erin!), { filters: {}, sort: 'newest' });
  await t.db.transaction().execute(async (trx) => {
    expect(await removeCaseReader(trx, coc.id, members.erin!.id, 'hard-conflict', BY_SYSTEM)).toBe(true);
  });
  const removed = await listCasesForMember(t.db, signedIn(members.erin!), { filters: {}, sort: 'newest' });
  expect(removed.total).toBe(before.total - 1);
  await expectCountsExact();

  const security = references.find((r) => r.kind === 'security')!;
  await t.db.transaction().execute(async (trx) => {
    expect(await addCaseReader(trx, security.id, members.erin!.id, 'extended', BY_SYSTEM)).toBe(true);
    // Added, then removed and added again in the same transaction: counted once.
    await removeCaseReader(trx, security.id, members.erin!.id, 'left-srt', BY_SYSTEM);
    await addCaseReader(trx, security.id, members.erin!.id, 'extended', BY_SYSTEM);
  });
  const added = await listCasesForMember(t.db, signedIn(members.erin!), {
    filters: { kind: 'security' },
    sort: 'newest',
  });
  expect(added.total).toBe(1);
  expect(added.rows.map((r) => r.id)).toEqual([security.id]);
  await expectCountsExact();
  await expectAllLists();
});

test('a filter no readable case matches lists nothing and counts nothing', async () => {
  const erin = signedIn(members.erin!);
  const page = await listCasesForMember(t.db, erin, { filters: { kind: 'security', assigned: 'me' }, sort: 'newest' });
  expect(page).toMatchObject({ rows: [], counts: {}, total: 0, nextCursor: null });
});

test('a rolled-back change leaves the counts as they were, and a member removed takes their counts along', async () => {
  const security = references.find((r) => r.kind === 'security')!;
  await expect(
    t.db.transaction().execute(async (trx) => {
      await removeCaseReader(trx, security.id, members.bob!.id, 'left-srt', BY_SYSTEM);
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  await expectCountsExact();

  await sql`DELETE FROM members WHERE id = ${members.dave!.id}`.execute(t.db);
  const { rows } = await sql<{ n: string }>`
    SELECT count(*)::text AS n FROM case_reader_counts WHERE member_id = ${members.dave!.id}`.execute(t.db);
  expect(rows[0]!.n).toBe('0');
  await expectCountsExact();
});
