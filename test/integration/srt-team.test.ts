// The SRT as a record (issue 11 §2) on a real PostgreSQL: the operator's team while setting up, the
// appointment by decision and its rules, routing that follows the table, joiners who get the open
// security cases (a reader's re-wrap, decrypted by gpg), leavers who keep a case only until someone
// staying can read it, and then lose it.
import { assembleMessage } from '../../crypto/split-message';
import { pendingGrants } from '../../db/grants.queries';
import type { MemberWithKey } from '../../db/members.queries';
import { rewrapForGrantee } from '../../server/browser/grants';
import { silentCaseEvents } from '../../server/cases/case-events';
import { settleProposals } from '../../server/governance/decision-settle';
import { propose } from '../../server/governance/decisions';
import { fulfilGrant, grantTasks } from '../../server/governance/grants';
import { completeSrtHandovers } from '../../server/governance/srt-team';
import { removeMember } from '../../server/governance/members';
import { routedReaders } from '../../server/intake/reports';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, signedIn, submitReport } from '../helpers/dashboard';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { addFixtureMember, fixtureKey, fixturePrivateKey, type GoodKeyName } from '../helpers/keys';

let t: TestDatabase;
let gpg: GnupgHome;
const m: Partial<Record<GoodKeyName, MemberWithKey>> = {};
let clock = new Date('2027-01-10T09:00:00Z');
const ctx = () => ({ now: clock, periods: { lazyConsensusHours: 72, cocLazyConsensusHours: 24 } });

beforeAll(async () => {
  t = await createTestDatabase();
  gpg = await createGnupgHome();
  for (const name of ['alice', 'bob', 'carol', 'erin'] as const) await gpg.importKey(fixtureKey(name).secretKey);
});
afterAll(async () => {
  await gpg?.destroy();
  await t?.destroy();
});

const readers = async (caseId: string) =>
  (
    await t.db
      .selectFrom('case_readers as cr')
      .innerJoin('members as mb', 'mb.id', 'cr.member_id')
      .select(['mb.email', 'cr.via'])
      .where('cr.case_id', '=', caseId)
      .orderBy('mb.email')
      .execute()
  ).map((r) => `${r.email.split('@')[0]}:${r.via}`);

const routedTo = async () => (await routedReaders(t.db, 'security', [], true)).map((r) => r.name.split(' ')[0]).sort();

const auditOf = (action: string) =>
  t.db.selectFrom('audit_log').select(['actor_label', 'details']).where('action', '=', action).execute();

/** Proposes as alice and lets lazy consensus pass it (the decisions clock moves on 73 hours). */
async function decide(payload: unknown): Promise<string> {
  const id = await propose(t.db, signedIn(m.alice!), 'project', { kind: 'appoint-srt', payload }, ctx());
  clock = new Date(clock.getTime() + 73 * 3_600_000);
  const settled = await settleProposals(t.db, clock);
  expect(settled).toEqual([expect.objectContaining({ id, status: 'passed' })]);
  return id;
}

async function fulfilAs(name: GoodKeyName, reference: string): Promise<number> {
  const member = signedIn(m[name]!);
  const key = await fixturePrivateKey(name);
  let stored = 0;
  for (const task of (await grantTasks(t.db, member, reference)).grantees)
    stored += (
      await fulfilGrant(
        t.db,
        member,
        reference,
        { grantee: task.grantee, packets: await rewrapForGrantee(key, task) },
        silentCaseEvents,
      )
    ).stored;
  return stored;
}

async function gpgReadable(caseId: string, memberId: string): Promise<string[]> {
  const rows = await t.db
    .selectFrom('session_keys as k')
    .innerJoin('messages as msg', 'msg.id', 'k.message_id')
    .innerJoin('member_keys as mk', (j) => j.onRef('mk.id', '=', 'k.member_key_id').on('mk.retired_at', 'is', null))
    .select(['k.packet', 'msg.body'])
    .where('msg.case_id', '=', caseId)
    .where('mk.member_id', '=', memberId)
    .execute();
  return Promise.all(rows.map(async (r) => (await gpg.decrypt(await assembleMessage(r.packet, r.body))).toString()));
}

test('setting up, the operator puts srt members on the team (audited as the operator); routing follows the team', async () => {
  m.alice = await addFixtureMember(t.db, 'alice', 'approver');
  m.bob = await addFixtureMember(t.db, 'bob', 'approver');
  expect(await routedTo()).toEqual(['Alice', 'Bob']);
  m.carol = await addFixtureMember(t.db, 'carol', 'srt');
  expect(m.carol.onSrt).toBe(true);
  // One member: below two, so the approvers still receive security reports.
  expect(await routedTo()).toEqual(['Alice', 'Bob', 'Carol']);
  m.erin = await addFixtureMember(t.db, 'erin', 'srt');
  expect(await routedTo()).toEqual(['Carol', 'Erin']);
  m.frank = await addFixtureMember(t.db, 'frank', 'liaison');
  expect(await auditOf('srt.appointed-by-operator')).toEqual([
    { actor_label: 'operator', details: { memberId: m.carol.id } },
    { actor_label: 'operator', details: { memberId: m.erin.id } },
  ]);
  // The table decides, not the role: a role-srt account taken off the team gets nothing.
  await t.db.deleteFrom('srt_members').where('member_id', '=', m.erin.id).execute();
  expect(await routedTo()).toEqual(['Alice', 'Bob', 'Carol']);
  await t.db.insertInto('srt_members').values({ member_id: m.erin.id, appointed_by: 'operator' }).execute();
  expect(await routedTo()).toEqual(['Carol', 'Erin']);
});

test('an appointment is refused below two members, with a liaison, an unknown member, or as the team already is', async () => {
  const refused = async (payload: unknown) =>
    domainErrorOf(propose(t.db, signedIn(m.alice!), 'project', { kind: 'appoint-srt', payload }, ctx()));
  expect((await refused({ team: 'delegated', memberIds: [m.carol!.id] })).message).toMatch(/at least 2 members/);
  expect((await refused({ team: 'delegated', memberIds: [m.carol!.id, m.carol!.id] })).message).toMatch(/at least 2/);
  expect((await refused({ team: 'delegated', memberIds: [m.carol!.id, m.frank!.id] })).message).toMatch(/liaison/);
  const unknown = '00000000-0000-4000-8000-000000000001';
  expect((await refused({ team: 'delegated', memberIds: [m.carol!.id, unknown] })).message).toMatch(/not on file/);
  expect((await refused({ team: 'delegated', memberIds: [m.erin!.id, m.carol!.id] })).message).toMatch(/already/);
  expect((await refused({ team: 'delegated', memberIds: ['not-an-id', m.carol!.id] })).kind).toBe('bad-input');
  expect((await refused({ team: 'someone' })).kind).toBe('bad-input');
  expect(await t.db.selectFrom('proposals').select('id').execute()).toEqual([]);
});

test('appointing the approvers: they join the open security cases; carol and erin hand over, then lose them', async () => {
  const open = await submitReport(t.db, 'security', 'An open bug for the delegated team.');
  expect(await readers(open.id)).toEqual(['carol:routed', 'erin:routed']);
  const proposalId = await decide({ team: 'approvers' });
  expect(await routedTo()).toEqual(['Alice', 'Bob']);
  // Nobody staying can read the case yet: the leavers keep it, so that one of them can re-wrap it.
  expect(await readers(open.id)).toEqual(['alice:srt-joined', 'bob:srt-joined', 'carol:routed', 'erin:routed']);
  const pending = await pendingGrants(t.db, open.id);
  expect(pending.map((p) => p.grantee).sort()).toHaveLength(2);
  expect(await completeSrtHandovers(t.db)).toBe(0);

  expect(await fulfilAs('carol', open.reference)).toBe(2);
  expect((await gpgReadable(open.id, m.alice!.id)).join()).toContain('An open bug for the delegated team.');
  expect(await completeSrtHandovers(t.db)).toBe(2);
  expect(await readers(open.id)).toEqual(['alice:srt-joined', 'bob:srt-joined']);
  expect(await gpgReadable(open.id, m.carol!.id)).toEqual([]);

  const [appointed] = await auditOf('srt.appointed');
  expect(appointed).toEqual({
    actor_label: 'system',
    details: { team: 'approvers', memberIds: [], joined: 2, left: 2, handedOver: 2, proposalId },
  });
  const revoked = await t.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'access.revoked')
    .where('case_id', '=', open.id)
    .execute();
  expect(revoked.map((r) => (r.details as { reason: string }).reason)).toEqual(['left-srt', 'left-srt']);
});

test('once the approvers decided, the CLI adds an srt account but not to the team', async () => {
  m.gina = await addFixtureMember(t.db, 'gina', 'srt');
  expect(m.gina.onSrt).toBe(false);
  expect(await routedTo()).toEqual(['Alice', 'Bob']);
});

test('a delegated team with an approver: leavers lose at once where someone staying reads the case', async () => {
  const open = await submitReport(t.db, 'security', 'A second bug, read by the approvers.');
  await submitReport(t.db, 'security', 'A third one.');
  await t.db.updateTable('cases').set({ status: 'spam' }).where('id', '=', open.id).execute();
  const live = await submitReport(t.db, 'security', 'A live bug.');
  await t.db.updateTable('cases').set({ assignee_id: m.bob!.id }).where('id', '=', live.id).execute();
  await decide({ team: 'delegated', memberIds: [m.alice!.id, m.gina!.id] });
  // bob leaves: the case he was assigned has no assignee any more.
  const { assignee_id } = await t.db
    .selectFrom('cases')
    .select('assignee_id')
    .where('id', '=', live.id)
    .executeTakeFirstOrThrow();
  expect(assignee_id).toBeNull();
  expect(await routedTo()).toEqual(['Alice', 'Gina']);
  // alice stays and reads everything: bob leaves at once; gina joins the open ones only.
  expect(await readers(live.id)).toEqual(['alice:routed', 'gina:srt-joined']);
  expect(await readers(open.id)).toEqual(['alice:routed']);
  const team = await t.db.selectFrom('srt_members').select(['member_id', 'appointed_by']).execute();
  expect(team.map((r) => r.appointed_by)).toEqual(['decision', 'decision']);
  expect(await t.db.selectFrom('srt_handovers').select('case_id').execute()).toEqual([]);
  // gina's account is removed: the team is below two, and the approvers receive security reports again.
  await removeMember(t.db, m.gina!.email);
  expect(await routedTo()).toEqual(['Alice', 'Bob']);
  expect(await readers(live.id)).toEqual(['alice:routed', 'bob:srt-joined']);
});
