// The decisions part of the case page and the project's decisions page over HTTP, with members
// signed in through the real flow: forms with CSRF that go back to the page (PRG), a vote called and
// ballots cast from buttons, the tally in words, a refused form shown beside its proposal, and the
// excluded: a hard-conflicted approver finds nothing (404 exactly like a missing case), a
// soft-conflicted one reads but may not act, a non-approver has no decisions page.
import type { MemberWithKey } from '../../db/members.queries';
import { badInput } from '../../server/errors';
import { DECISION_EFFECTS } from '../../server/governance/decision-effects';
import type { DecisionEffects } from '../../server/governance/decision-settle';
import { propose } from '../../server/governance/decisions';
import { WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { signedIn, submitReport } from '../helpers/dashboard';
import { enrolMember, TestClock, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startTestServer } from '../helpers/server';

let t: TestDatabase;
let server: AuthTestServer;
const governanceClock = new TestClock();
const m: Record<'alice' | 'bob' | 'dave' | 'carol' | 'erin', EnrolledMember> = {} as never;
let coc: { reference: string; id: string };
let other: { reference: string; id: string };
let proposalId: string;

// The referral's own check belongs to the access helper: proposals are made here with a test check.
const effects: DecisionEffects = {
  ...DECISION_EFFECTS,
  refer: {
    check: async () => undefined,
    apply: async () => {
      throw badInput('not carried out in this test');
    },
  },
};

beforeAll(async () => {
  t = await createTestDatabase();
  const clock = new TestClock();
  const running = await startTestServer(t.db, {}, { clock: clock.now, governanceClock: governanceClock.now });
  server = { ...running, clock };
  for (const name of ['alice', 'bob', 'dave'] as const) m[name] = await enrolMember(t.db, server, name, 'approver');
  m.carol = await enrolMember(t.db, server, 'carol', 'approver');
  m.erin = await enrolMember(t.db, server, 'erin', 'srt');
  coc = await submitReport(t.db, 'coc', 'A maintainer mocked a newcomer.', [m.carol.id]);
  other = await submitReport(t.db, 'coc', 'Another report, naming Dave.', [m.dave.id]);
  const alice = await t.db
    .selectFrom('members')
    .select(['id', 'name', 'email', 'role'])
    .where('id', '=', m.alice.id)
    .executeTakeFirstOrThrow();
  const asAlice = signedIn({ ...alice, role: 'approver' } as MemberWithKey);
  const ctx = { now: governanceClock.now(), periods: { lazyConsensusHours: 72, cocLazyConsensusHours: 24 }, effects };
  proposalId = await propose(t.db, asAlice, { reference: coc.reference }, { kind: 'refer' }, ctx);
  await propose(t.db, asAlice, { reference: other.reference }, { kind: 'refer' }, ctx);
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

const client = (name: keyof typeof m): WebClient => m[name].client;
const casePath = () => `/dashboard/cases/${coc.reference}`;
const proposalOn = (html: string) =>
  new RegExp(`<article[^>]*data-proposal="${proposalId}"[\\s\\S]*?</article>`).exec(html)?.[0] ?? '';

test('an approver sees the open proposal in words, its lazy-consensus deadline, and buttons to object or demand a vote', async () => {
  const page = await client('bob').get(casePath());
  expect(page.status).toBe(200);
  const item = proposalOn(page.html);
  expect(item).toContain('Refer this case to the CNCF CoC Committee');
  expect(item).toContain('data-mode="lazy"');
  expect(item).toMatch(/Proposed by Alice/);
  expect(item).toContain('3 eligible approvers may object');
  expect(item).toContain('data-action="object"');
  expect(item).toContain('data-action="demand"');
  expect(item).not.toContain('data-action="vote-yes"');
  expect(item).not.toContain('data-action="withdraw"');
  expect(proposalOn((await client('alice').get(casePath())).html)).toContain('data-action="withdraw"');
});

test('demanding a vote and casting ballots go back to the case; the tally counts the eligible', async () => {
  const demanded = await client('dave').submit(
    await client('dave').get(casePath()),
    `${casePath()}/proposals/${proposalId}/call-vote`,
    { as: 'demand' },
  );
  expect([demanded.status, demanded.location]).toEqual([303, casePath()]);
  const voted = await client('alice').submit(
    await client('alice').get(casePath()),
    `${casePath()}/proposals/${proposalId}/ballot`,
    { choice: 'yes' },
  );
  expect(voted.status).toBe(303);
  const item = proposalOn((await client('alice').follow(voted)).html);
  expect(item).toContain('data-mode="vote"');
  expect(item).toMatch(/demanded by Dave/);
  expect(item).toContain('1 yes, 0 no, 0 abstain, of 3 eligible approvers; 2 yes needed.');
  expect(item).toContain('data-my-ballot="yes"');
  expect(item).toContain('data-action="vote-no"');
});

test('a refused ballot is shown beside its proposal, with a 400, and nothing is stored', async () => {
  const page = await client('bob').get(casePath());
  const refused = await client('bob').submit(page, `${casePath()}/proposals/${proposalId}/ballot`, { choice: 'maybe' });
  expect(refused.status).toBe(400);
  expect(proposalOn(refused.html)).toContain('Vote yes, no or abstain.');
  expect(refused.html).toContain(`href="#proposal-${proposalId}"`);
  const ballots = await t.db.selectFrom('ballots').select('member_id').where('proposal_id', '=', proposalId).execute();
  expect(ballots.map((b) => b.member_id)).toEqual([m.alice.id]);
});

test('a form without its CSRF token is refused', async () => {
  const page = await client('bob').post(`${casePath()}/proposals/${proposalId}/ballot`, { choice: 'yes' });
  expect(page.status).toBe(403);
});

test('the hard-conflicted approver finds nothing: every decision route answers exactly like a missing case', async () => {
  const carol = client('carol');
  const missing = await carol.get('/dashboard/cases/COC-2099-9999');
  const token = (await carol.get('/dashboard/decisions')).html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
  for (const path of [
    `${casePath()}/proposals`,
    `${casePath()}/proposals/${proposalId}/ballot`,
    `${casePath()}/proposals/${proposalId}/call-vote`,
    `${casePath()}/proposals/${proposalId}/withdraw`,
  ]) {
    const page = await carol.post(path, { _csrf: token, kind: 'refer', choice: 'yes' });
    expect([path, page.status]).toEqual([path, missing.status]);
    expect(page.html.replace(/COC-[0-9A-Z-]+/g, '')).toEqual(missing.html.replace(/COC-[0-9A-Z-]+/g, ''));
  }
  // Her decisions page lists nothing of the case (not its proposal, not a count).
  const decisions = await carol.get('/dashboard/decisions');
  expect(decisions.status).toBe(200);
  expect(decisions.html).not.toContain(coc.reference);
  expect(decisions.html).not.toContain(proposalId);
  expect(decisions.html).toContain(other.reference);
});

test('a soft-conflicted approver sees the proposals and the tally, but no button, and a ballot is refused', async () => {
  await t.db
    .insertInto('case_conflicts')
    .values({
      case_id: coc.id,
      member_id: m.bob.id,
      level: 'soft',
      ground: 'same-employer',
      recorded_by_member_id: m.alice.id,
      lifted_at: null,
      lifted_by_proposal_id: null,
    })
    .execute();
  const page = await client('bob').get(casePath());
  const item = proposalOn(page.html);
  expect(item).toContain('1 yes, 0 no, 0 abstain, of 2 eligible approvers; 2 yes needed.');
  expect(item).not.toContain('data-action=');
  expect(page.html).toContain('data-not-eligible');
  expect(page.html).not.toContain('data-propose=');
  const token = page.html.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const ballot = await client('bob').post(`${casePath()}/proposals/${proposalId}/ballot`, {
    _csrf: token,
    choice: 'yes',
  });
  expect(ballot.status).toBe(403);
  expect(await t.db.selectFrom('ballots').select('member_id').where('member_id', '=', m.bob.id).execute()).toEqual([]);
});

test('the decisions page is for approvers: linked in their nav, lists open proposals on their cases; others find no page', async () => {
  const alice = await client('alice').get('/dashboard/decisions');
  expect(alice.status).toBe(200);
  expect(alice.html).toContain('data-nav-decisions');
  expect(alice.html).toContain(`data-case-proposal="${proposalId}"`);
  expect(alice.html).toContain('data-propose="extend-srt-access"');
  expect(alice.html).toContain('Erin');
  const erin = await client('erin').get('/dashboard/decisions');
  expect(erin.status).toBe(404);
  expect((await client('erin').get('/dashboard')).html).not.toContain('data-nav-decisions');
});

test('a vote past its deadline by the decisions clock shows as closed the moment a reader opens the page', async () => {
  const page = await client('alice').get(casePath());
  expect(proposalOn(page.html)).toContain('data-status="open"');
  governanceClock.advance(25 * 3_600_000);
  const later = proposalOn((await client('alice').get(casePath())).html);
  expect(later).toContain('data-status="rejected"');
  expect(later).toContain('rejected at the deadline: 1 yes of 2 eligible, 2 needed');
  expect(later).not.toContain('data-action=');
  const stored = await t.db
    .selectFrom('proposals')
    .select(['status', 'closed_at'])
    .where('id', '=', proposalId)
    .executeTakeFirstOrThrow();
  expect(stored.status).toBe('rejected');
});
