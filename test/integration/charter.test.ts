// The charter's settings on a real PostgreSQL (issue 11 §3): a change that would change the governance
// needs two-thirds of all approvers (5 approvers: 3 yes is a majority and fails, 4 yes passes) and is a
// vote from the start; a majority setting passes by lazy consensus; the applied value is what the app
// uses next (a new case's due dates, a new proposal's deadline); refusals in plain words; the
// committee's address and key changed by decision, current only once it passes; the audit rows.
import type { MemberWithKey } from '../../db/members.queries';
import type { SignedInMember } from '../../server/auth/signed-in-member';
import { addBusinessDays } from '../../server/cases/clocks';
import { BUILT_IN_CHARTER, decisionPeriods, readCharter } from '../../server/governance/charter';
import { committeeKey } from '../../server/governance/committee';
import { settleProposals } from '../../server/governance/decision-settle';
import { castBallot, propose, type DecisionContext } from '../../server/governance/decisions';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
const T0 = new Date('2026-12-01T12:00:00Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);
type Name = 'alice' | 'bob' | 'carol' | 'dave' | 'erin';
const as = (name: Name): SignedInMember => signedIn(cast[name] as MemberWithKey);
const ctx = async (now: Date): Promise<DecisionContext> => ({
  now,
  periods: await decisionPeriods(t.db, BUILT_IN_CHARTER),
});

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, {
    alice: 'approver',
    bob: 'approver',
    carol: 'approver',
    dave: 'approver',
    erin: 'approver',
  });
});
afterAll(async () => {
  await t.destroy();
});

const proposal = (id: string) =>
  t.db
    .selectFrom('proposals')
    .select(['status', 'threshold', 'vote_called_at', 'deadline_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const row = (key: string) => t.db.selectFrom('charter_settings').selectAll().where('key', '=', key).executeTakeFirst();
const audit = (action: string) =>
  t.db.selectFrom('audit_log').select(['details', 'actor_label']).where('action', '=', action).orderBy('id').execute();
const proposeSetting = async (name: Name, key: string, payload: unknown, now = T0) =>
  propose(t.db, as(name), 'project', { kind: 'change-setting', subjectKey: key, payload }, await ctx(now));
const vote = async (id: string, names: Name[], choice: 'yes' | 'no', now = hours(1)) => {
  for (const name of names) await castBallot(t.db, as(name), 'project', id, choice, await ctx(now));
};

test('acknowledge days: a vote from the start; 3 of 5 yes is rejected, 4 of 5 passes; the next case follows it', async () => {
  const first = await proposeSetting('alice', 'acknowledge-days.security', 5);
  expect(await proposal(first)).toMatchObject({ status: 'open', threshold: 'two-thirds' });
  expect((await proposal(first)).vote_called_at).not.toBeNull();
  await vote(first, ['alice', 'bob', 'carol'], 'yes');
  expect((await proposal(first)).status).toBe('open');
  await vote(first, ['dave', 'erin'], 'no');
  expect((await proposal(first)).status).toBe('rejected');
  expect(await row('acknowledge-days.security')).toBeUndefined();
  expect((await readCharter(t.db, BUILT_IN_CHARTER)).acknowledgeDays.security).toBe(2);

  const second = await proposeSetting('bob', 'acknowledge-days.security', 5, hours(2));
  await vote(second, ['alice', 'bob', 'carol'], 'yes', hours(3));
  expect((await proposal(second)).status).toBe('open');
  await vote(second, ['dave'], 'yes', hours(3));
  expect((await proposal(second)).status).toBe('passed');
  expect(await row('acknowledge-days.security')).toMatchObject({
    value: 5,
    changed_by: 'decision',
    proposal_id: second,
  });
  expect((await readCharter(t.db, BUILT_IN_CHARTER)).acknowledgeDays).toEqual({ security: 5, coc: 3 });
  const changed = await audit('charter.changed');
  expect(changed.map((a) => a.details)).toEqual([
    { key: 'acknowledge-days.security', old: 2, new: 5, proposalId: second },
  ]);

  const before = new Date();
  const report = await submitReport(t.db, 'security', 'A buffer overflow in the parser.');
  const c = await t.db
    .selectFrom('cases')
    .select(['acknowledge_due_at', 'triage_due_at'])
    .where('id', '=', report.id)
    .executeTakeFirstOrThrow();
  const expected = addBusinessDays(before, 5).getTime();
  expect(Math.abs(c.acknowledge_due_at!.getTime() - expected)).toBeLessThan(60_000);
  expect(Math.abs(c.triage_due_at!.getTime() - addBusinessDays(before, 10).getTime())).toBeLessThan(60_000);
});

test('a majority setting passes by lazy consensus at its deadline and not before', async () => {
  const id = await proposeSetting('carol', 'transparency.small-count', 5);
  expect(await proposal(id)).toMatchObject({ status: 'open', threshold: 'majority', vote_called_at: null });
  await settleProposals(t.db, hours(71));
  expect((await proposal(id)).status).toBe('open');
  await settleProposals(t.db, hours(73));
  expect((await proposal(id)).status).toBe('passed');
  expect((await readCharter(t.db, BUILT_IN_CHARTER)).transparency.smallCountThreshold).toBe(5);
});

test('a changed lazy-consensus period is the deadline of the next proposal', async () => {
  const id = await proposeSetting('alice', 'lazy-consensus-hours', 48, hours(100));
  await vote(id, ['alice', 'bob', 'carol', 'dave'], 'yes', hours(101));
  expect((await proposal(id)).status).toBe('passed');
  const next = await proposeSetting('alice', 'transparency.period-months', 3, hours(110));
  expect((await proposal(next)).deadline_at).toEqual(hours(110 + 48));
});

test('unknown keys, invalid values and a value equal to the current one are refused in plain words', async () => {
  const refused = async (key: string, payload: unknown) =>
    (await domainErrorOf(proposeSetting('alice', key, payload))).message;
  expect(await refused('no-such-setting', 3)).toContain('no such setting');
  expect(await refused('constructor', 3)).toContain('no such setting');
  expect(await refused('acknowledge-days.coc', 0)).toContain('whole number of days from 1 to 60');
  expect(await refused('acknowledge-days.coc', 'three')).toContain('whole number');
  expect(await refused('cncf-central-record', 'maybe')).toContain('yes or no');
  expect(await refused('acknowledge-days.security', 5)).toContain('is 5 days already');
  expect(await refused('cncf-central-record', true)).toContain('is yes already');
});

test('the committee’s address and key change by a majority decision, checked as the CLI checks them', async () => {
  const frank = fixtureKey('frank');
  const bad = await domainErrorOf(
    proposeSetting('alice', 'cncf-committee', {
      email: 'conduct@cncf.io',
      publicKey: frank.publicKey,
      fingerprint: frank.fingerprint,
    }),
  );
  expect(bad.message).toContain('no user ID for conduct@cncf.io');
  const expired = fixtureKey('expired');
  expect(
    (
      await domainErrorOf(
        proposeSetting('alice', 'cncf-committee', {
          email: expired.email,
          publicKey: expired.publicKey,
          fingerprint: expired.fingerprint,
        }),
      )
    ).message,
  ).toContain('expired');

  const id = await proposeSetting(
    'alice',
    'cncf-committee',
    {
      email: frank.email,
      publicKey: frank.publicKey,
      fingerprint: frank.fingerprint,
    },
    hours(200),
  );
  expect(await proposal(id)).toMatchObject({ threshold: 'majority', vote_called_at: null });
  // Not current until the decision passes.
  expect(await committeeKey(t.db)).toBeUndefined();
  await settleProposals(t.db, hours(200 + 49));
  expect((await proposal(id)).status).toBe('passed');
  expect(await committeeKey(t.db)).toMatchObject({ email: frank.email, fingerprint: frank.fingerprint });
  expect((await readCharter(t.db, BUILT_IN_CHARTER)).cncfCommittee).toEqual({
    email: frank.email,
    fingerprint: frank.fingerprint,
  });
  expect(await row('cncf-committee')).toMatchObject({ changed_by: 'decision', proposal_id: id });
  const keySet = await audit('committee.key-set');
  expect(keySet.at(-1)?.details).toMatchObject({
    fingerprint: frank.fingerprint,
    previousFingerprint: null,
    proposalId: id,
  });
  const changed = (await audit('charter.changed')).at(-1)!;
  expect(changed.details).toEqual({
    key: 'cncf-committee',
    old: { fingerprint: null },
    new: { fingerprint: frank.fingerprint },
    proposalId: id,
  });
  // No address in the audit trail.
  expect(JSON.stringify(changed.details)).not.toContain('@');
  // The same again is no change.
  expect(
    (
      await domainErrorOf(
        proposeSetting(
          'bob',
          'cncf-committee',
          { email: frank.email, publicKey: frank.publicKey, fingerprint: frank.fingerprint },
          hours(300),
        ),
      )
    ).message,
  ).toContain('already');
});
