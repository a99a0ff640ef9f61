// DESIGN §2: an excluded person gets "no row of it in any list — not even its existence". An approver
// a CoC report names, an SRT member (for CoC), and a liaison never see a case they may not read: not
// in the list, not in the counts, and every action on its reference fails exactly like a reference
// that does not exist.
import type { MemberWithKey } from '../../db/members.queries';
import { listCasesForMember, parseCaseListQuery } from '../../server/cases/case-list';
import { addCaseMessage, messageRecipients } from '../../server/cases/case-messages';
import {
  CASE_NOT_FOUND,
  assignCase,
  moveCase,
  openCase,
  setEmbargo,
  setExpedited,
  setSeverity,
} from '../../server/cases/case-work';
import type { SignedInMember } from '../../server/auth/signed-in-member';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import {
  auditRowCount,
  domainErrorOf,
  encryptArmored,
  recordingEvents,
  signedIn,
  submitReport,
} from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
let involving: { reference: string; id: string };
let other: { reference: string; id: string };
let security: { reference: string; id: string };
const NONEXISTENT = 'COC-2099-9999';

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, {
    alice: 'srt',
    bob: 'srt',
    carol: 'approver',
    dave: 'approver',
    erin: 'approver',
    frank: 'liaison',
  });
  involving = await submitReport(t.db, 'coc', 'Dave shouted at a newcomer.', [cast.dave!.id]);
  other = await submitReport(t.db, 'coc', 'A spam bot in the chat.');
  security = await submitReport(t.db, 'security', 'Path traversal in the archive reader.');
});
afterAll(async () => {
  await t.destroy();
});

const as = (name: 'alice' | 'carol' | 'dave' | 'frank'): SignedInMember => signedIn(cast[name] as MemberWithKey);
const everything = parseCaseListQuery({});

test('the readers the governance routed to see the case', async () => {
  const carol = await listCasesForMember(t.db, as('carol'), everything);
  expect(carol.rows.map((r) => r.reference).sort()).toEqual([involving.reference, other.reference].sort());
  expect(carol.counts).toEqual({ new: 2 });
  expect((await openCase(t.db, as('carol'), involving.reference)).detail.id).toBe(involving.id);
});

test('the approver the CoC report names has no row, no count and no total of it', async () => {
  const page = await listCasesForMember(t.db, as('dave'), everything);
  expect(page.rows.map((r) => r.reference)).toEqual([other.reference]);
  expect(page.counts).toEqual({ new: 1 });
  expect(page.total).toBe(1);
  // Both cases are new and unopened; the figure of what is new counts only the one he may read.
  expect(page.unreadCases).toBe(1);
  for (const query of [{ kind: 'coc' }, { status: 'new' }, { assigned: 'none' }, { sort: 'oldest' }]) {
    const filtered = await listCasesForMember(t.db, as('dave'), parseCaseListQuery(query));
    expect(filtered.rows.map((r) => r.reference)).not.toContain(involving.reference);
    expect(filtered.total).toBe(1);
  }
});

describe('every action of the named approver on its reference fails like a reference that does not exist', () => {
  const events = recordingEvents();
  const actions: [string, (reference: string) => Promise<unknown>][] = [
    ['openCase', (ref) => openCase(t.db, as('dave'), ref)],
    ['moveCase', (ref) => moveCase(t.db, as('dave'), ref, 'acknowledged')],
    ['assignCase', (ref) => assignCase(t.db, as('dave'), ref, cast.dave!.id, events)],
    ['setSeverity', (ref) => setSeverity(t.db, as('dave'), ref, { vector: '', cwe: '', affectedVersions: '' })],
    ['setEmbargo', (ref) => setEmbargo(t.db, as('dave'), ref, '2030-01-01')],
    ['setExpedited', (ref) => setExpedited(t.db, as('dave'), ref, true)],
    ['messageRecipients (comment)', (ref) => messageRecipients(t.db, as('dave'), ref, 'comment')],
    ['messageRecipients (reply)', (ref) => messageRecipients(t.db, as('dave'), ref, 'reply')],
    ['addCaseMessage with garbage', (ref) => addCaseMessage(t.db, as('dave'), ref, 'comment', 'not a message', events)],
    [
      'addCaseMessage encrypted to the readers',
      async (ref) =>
        addCaseMessage(
          t.db,
          as('dave'),
          ref,
          'comment',
          await encryptArmored('I was not there.', [fixtureKey('carol').publicKey, fixtureKey('erin').publicKey]),
          events,
        ),
    ],
  ];

  test.each(actions)('%s', async (_name, run) => {
    const auditBefore = await auditRowCount(t.db);
    const hidden = await domainErrorOf(run(involving.reference));
    const missing = await domainErrorOf(run(NONEXISTENT));
    expect(hidden.kind).toBe('not-found');
    expect(hidden.message).toBe(CASE_NOT_FOUND);
    expect({ kind: hidden.kind, message: hidden.message }).toEqual({ kind: missing.kind, message: missing.message });
    // Lower case or padded, the reference still gives nothing away.
    expect((await domainErrorOf(run(` ${involving.reference.toLowerCase()} `))).message).toBe(CASE_NOT_FOUND);
    expect(await auditRowCount(t.db)).toBe(auditBefore);
    expect(events.calls).toEqual([]);
  });

  test('and the case is unchanged', async () => {
    const row = await t.db
      .selectFrom('cases')
      .select(['status', 'assignee_id', 'expedited', 'embargo_until'])
      .where('id', '=', involving.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'new', assignee_id: null, expedited: false, embargo_until: null });
    expect(await t.db.selectFrom('messages').select('role').where('case_id', '=', involving.id).execute()).toEqual([
      { role: 'report' },
    ]);
  });
});

test('an SRT member sees the security case and no CoC case at all', async () => {
  const page = await listCasesForMember(t.db, as('alice'), everything);
  expect(page.rows.map((r) => r.reference)).toEqual([security.reference]);
  expect(page.counts).toEqual({ new: 1 });
  expect((await listCasesForMember(t.db, as('alice'), parseCaseListQuery({ kind: 'coc' }))).rows).toEqual([]);
  for (const reference of [involving.reference, other.reference]) {
    expect((await domainErrorOf(openCase(t.db, as('alice'), reference))).message).toBe(CASE_NOT_FOUND);
    expect((await domainErrorOf(messageRecipients(t.db, as('alice'), reference, 'reply'))).message).toBe(
      CASE_NOT_FOUND,
    );
  }
});

test('a liaison appointed to no case sees nothing', async () => {
  const page = await listCasesForMember(t.db, as('frank'), everything);
  expect(page).toEqual({ rows: [], counts: {}, total: 0, unreadCases: 0, nextCursor: null });
  for (const reference of [involving.reference, other.reference, security.reference]) {
    const error = await domainErrorOf(openCase(t.db, as('frank'), reference));
    expect([error.kind, error.message]).toEqual(['not-found', CASE_NOT_FOUND]);
  }
});
