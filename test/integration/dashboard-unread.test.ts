// Per-member unread state (issue 8 item 8) on a real PostgreSQL: what is new is kept for each member
// alone — opening a case marks it read for that member and nobody else, a member's own message is
// never new to them — and the unread figure counts only cases the member may read.
import { sql } from 'kysely';
import type { MemberWithKey } from '../../db/members.queries';
import { migrations } from '../../db/migrations';
import { addCaseMessage, storeCaseMessage } from '../../server/cases/case-messages';
import { listCasesForMember, parseCaseListQuery } from '../../server/cases/case-list';
import { openCase } from '../../server/cases/case-work';
import type { SignedInMember } from '../../server/auth/signed-in-member';
import { findCaseRead } from '../../db/case-reads.queries';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { encryptArmored, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
let sec: { reference: string; id: string };
let involving: { reference: string; id: string };
const events = recordingEvents();
const everything = parseCaseListQuery({});

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver', dave: 'approver' });
  sec = await submitReport(t.db, 'security', 'SSRF in the webhook tester.');
  involving = await submitReport(t.db, 'coc', 'Dave mocked a newcomer.', [cast.dave!.id]);
});
afterAll(async () => {
  await t.destroy();
});

const as = (name: 'alice' | 'bob' | 'carol' | 'dave'): SignedInMember => signedIn(cast[name] as MemberWithKey);
const unreadOf = async (name: 'alice' | 'bob' | 'carol' | 'dave') => {
  const page = await listCasesForMember(t.db, as(name), everything);
  return { count: page.unreadCases, rows: Object.fromEntries(page.rows.map((r) => [r.reference, r.unread])) };
};
const srtKeys = () => [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey];

test('a case nobody has opened is new to each of its readers, and counted only for them', async () => {
  expect(await unreadOf('alice')).toEqual({ count: 1, rows: { [sec.reference]: ['New case: not opened yet'] } });
  expect(await unreadOf('bob')).toEqual({ count: 1, rows: { [sec.reference]: ['New case: not opened yet'] } });
  expect(await unreadOf('carol')).toEqual({ count: 1, rows: { [involving.reference]: ['New case: not opened yet'] } });
  // dave is named in the CoC case: it is new, unread, and he must not learn even that.
  expect(await unreadOf('dave')).toEqual({ count: 0, rows: {} });
});

test('opening a case marks it read for that member only', async () => {
  await openCase(t.db, as('alice'), sec.reference);
  expect(await unreadOf('alice')).toEqual({ count: 0, rows: { [sec.reference]: [] } });
  expect(await unreadOf('bob')).toEqual({ count: 1, rows: { [sec.reference]: ['New case: not opened yet'] } });
  expect(await findCaseRead(t.db, cast.bob!.id, sec.id)).toEqual({
    seenMessageAt: null,
    seenMessageId: null,
    openedAt: null,
  });
  expect((await findCaseRead(t.db, cast.alice!.id, sec.id))!.openedAt).toBeInstanceOf(Date);
});

test('a comment is new to the other readers, never to its author; the case page marks it new', async () => {
  await openCase(t.db, as('bob'), sec.reference);
  const { id } = await addCaseMessage(
    t.db,
    as('bob'),
    sec.reference,
    'comment',
    await encryptArmored('Confirmed on 2.1.', srtKeys()),
    events,
  );
  expect(await unreadOf('alice')).toEqual({ count: 1, rows: { [sec.reference]: ['New comment'] } });
  expect(await unreadOf('bob')).toEqual({ count: 0, rows: { [sec.reference]: [] } });

  const view = await openCase(t.db, as('alice'), sec.reference);
  expect([...view.newIds]).toEqual([id]);
  expect(view.firstVisit).toBe(false);
  expect(await unreadOf('alice')).toEqual({ count: 0, rows: { [sec.reference]: [] } });
  // Opened again, nothing is new any more.
  expect([...(await openCase(t.db, as('alice'), sec.reference)).newIds]).toEqual([]);
});

test('a message from the reporter is new to every reader, and said so', async () => {
  const found = {
    id: sec.id,
    ...(await t.db
      .selectFrom('cases')
      .select(['reporter_fingerprint as reporterFingerprint', 'reporter_public_key as reporterPublicKey'])
      .where('id', '=', sec.id)
      .executeTakeFirstOrThrow()),
  };
  const message = await encryptArmored('Here is a proof of concept.', [...srtKeys(), found.reporterPublicKey]);
  await storeCaseMessage(t.db, found, { role: 'reporter-reply', authorMemberId: null, message, withReporter: true });
  await addCaseMessage(
    t.db,
    as('alice'),
    sec.reference,
    'reply',
    await encryptArmored('Thanks, we will look.', [...srtKeys(), found.reporterPublicKey]),
    events,
  );
  expect(await unreadOf('alice')).toEqual({ count: 1, rows: { [sec.reference]: ['New message from the reporter'] } });
  expect(await unreadOf('bob')).toEqual({
    count: 1,
    rows: { [sec.reference]: ['New message from the reporter', 'New reply to the reporter'] },
  });
});

test('the page shown again after a refused form neither counts as a view nor marks anything read', async () => {
  const before = await findCaseRead(t.db, cast.bob!.id, sec.id);
  const view = await openCase(t.db, as('bob'), sec.reference, { again: true });
  expect(view.newIds.size).toBe(2);
  expect(await findCaseRead(t.db, cast.bob!.id, sec.id)).toEqual(before);
});

test('the figure follows the list filters of nobody: it is the member’s whole unread count', async () => {
  expect((await listCasesForMember(t.db, as('bob'), parseCaseListQuery({ kind: 'coc' }))).unreadCases).toBe(1);
  expect((await listCasesForMember(t.db, as('bob'), parseCaseListQuery({ status: 'closed' }))).unreadCases).toBe(1);
});

test('a member who loses access loses the case from the figure, and their read mark with it', async () => {
  await openCase(t.db, as('carol'), involving.reference);
  await submitReport(t.db, 'coc', 'Another report.');
  expect((await unreadOf('carol')).count).toBe(1);
  expect((await unreadOf('bob')).count).toBe(1);
  await t.db.deleteFrom('case_readers').where('member_id', '=', cast.bob!.id).where('case_id', '=', sec.id).execute();
  expect(await unreadOf('bob')).toEqual({ count: 0, rows: {} });
  expect(await findCaseRead(t.db, cast.bob!.id, sec.id)).toBeUndefined();
  // Granted again, everything on the case is new to them.
  await t.db.insertInto('case_readers').values({ case_id: sec.id, member_id: cast.bob!.id }).execute();
  expect(await unreadOf('bob')).toEqual({ count: 1, rows: { [sec.reference]: ['New case: not opened yet'] } });
});

test('upgrading a database that has cases: every reader starts with nothing new, and down undoes it all', async () => {
  const migration = migrations['2026-12-01-05-case-reads']!;
  await migration.down!(t.db as never);
  expect(
    (
      await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_proc WHERE proname IN ('message_news_flag', 'messages_mark_news', 'case_readers_start_reads')`.execute(
        t.db,
      )
    ).rows[0]!.n,
  ).toBe(0);
  await migration.up(t.db as never);
  const readers = await t.db
    .selectFrom('case_readers')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const reads = await t.db
    .selectFrom('case_reads')
    .select(['news', 'opened_at', 'seen_message_id', 'case_id'])
    .execute();
  expect(reads).toHaveLength(Number(readers.n));
  expect(reads.every((r) => r.news === 0 && r.opened_at instanceof Date)).toBe(true);
  const newest = await t.db
    .selectFrom('messages')
    .select('id')
    .where('case_id', '=', sec.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  expect(reads.filter((r) => r.case_id === sec.id).map((r) => r.seen_message_id)).toEqual(
    expect.arrayContaining([newest.id]),
  );
  expect((await unreadOf('alice')).count).toBe(0);
  // The triggers are back: a new comment is news again.
  await addCaseMessage(
    t.db,
    as('bob'),
    sec.reference,
    'comment',
    await encryptArmored('After the upgrade.', [fixtureKey('bob').publicKey, fixtureKey('alice').publicKey]),
    events,
  );
  expect((await unreadOf('alice')).rows[sec.reference]).toEqual(['New comment']);
});
