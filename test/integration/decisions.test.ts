// Decisions on a real PostgreSQL, through the domain functions (issue 10 §3): lazy consensus at the
// deadline and not before (the clock moves, nothing sleeps), objections turning it into a vote, a
// vote closing as soon as its outcome is certain, ties, abstentions, the electorate counted at every
// step (approvers added or removed, a conflict voiding a ballot), nobody eligible left, the system's
// referral, one settlement under concurrency, and the excluded neither seeing nor acting.
// The other helpers' effects are stubs on this branch: the engine runs with a small table of test
// effects passed as a parameter (never a mocked module), which write what a real effect would.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import type { SignedInMember } from '../../server/auth/signed-in-member';
import { badInput, conflict } from '../../server/errors';
import { addCaseReader, removeCaseReader } from '../../server/governance/access';
import { DECISION_EFFECTS } from '../../server/governance/decision-effects';
import { settleCaseProposals, settleProposals, type DecisionEffects } from '../../server/governance/decision-settle';
import {
  callVote,
  castBallot,
  propose,
  proposeBySystem,
  settleVisibleProposals,
  withdrawProposal,
  type DecisionContext,
} from '../../server/governance/decisions';
import { removeMember } from '../../server/governance/members';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { addFixtureMember } from '../helpers/keys';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
const events = recordingEvents();
const T0 = new Date('2026-12-01T12:00:00Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);
const applied: string[] = [];

/** Effects as the owning helpers would write them, small: a referral moves the case, an appointment adds a reader. */
const effects: DecisionEffects = {
  ...DECISION_EFFECTS,
  refer: {
    check: async (db, s) => {
      const c = await db
        .selectFrom('cases')
        .select(['kind', 'status'])
        .where('id', '=', s.caseId!)
        .executeTakeFirstOrThrow();
      if (c.kind !== 'coc') throw badInput('Only a Code of Conduct case goes to the CNCF CoC Committee.');
      if (c.status === 'referred') throw conflict('This case is referred already.');
    },
    apply: async (trx, s) => {
      applied.push(`refer:${s.caseId}`);
      await trx.updateTable('cases').set({ status: 'referred' }).where('id', '=', s.caseId!).execute();
    },
  },
  'appoint-liaison': {
    check: async (db, s) => {
      const m = await db.selectFrom('members').select('role').where('id', '=', s.subjectMemberId!).executeTakeFirst();
      if (m?.role !== 'liaison') throw badInput('Only a member with the role liaison can be appointed.');
    },
    apply: async (trx, s, actor) => {
      applied.push(`liaison:${s.subjectMemberId}`);
      await addCaseReader(trx, s.caseId!, s.subjectMemberId!, 'liaison', actor);
    },
  },
};
const ctx = (now: Date): DecisionContext => ({
  now,
  periods: { lazyConsensusHours: 72, cocLazyConsensusHours: 24 },
  events,
  effects,
});

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, {
    alice: 'approver',
    bob: 'approver',
    dave: 'approver',
    carol: 'approver',
    gina: 'liaison',
  });
});
afterAll(async () => {
  await t.destroy();
});

const as = (name: 'alice' | 'bob' | 'dave' | 'carol' | 'gina'): SignedInMember => signedIn(cast[name] as MemberWithKey);
/** A CoC case naming carol: alice, bob and dave read it, carol never does. */
const newCase = () => submitReport(t.db, 'coc', 'A maintainer insulted a contributor.', [cast.carol!.id]);
const proposal = (id: string) =>
  t.db
    .selectFrom('proposals')
    .select(['status', 'vote_called_at', 'deadline_at', 'outcome'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const caseStatus = async (id: string) =>
  (await t.db.selectFrom('cases').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const actions = async (caseId: string) =>
  (await listCaseAudit(t.db, caseId)).map((a) => a.action).filter((a) => a.startsWith('decision.'));
const recordConflict = (caseId: string, memberId: string, level: 'hard' | 'soft') =>
  t.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('case_conflicts')
      .values({
        case_id: caseId,
        member_id: memberId,
        level,
        ground: level === 'hard' ? 'close-relationship' : 'same-employer',
        recorded_by_member_id: null,
        lifted_at: null,
        lifted_by_proposal_id: null,
      })
      .execute();
    if (level === 'hard')
      await removeCaseReader(trx, caseId, memberId, 'hard-conflict', { actorMemberId: null, actorLabel: 'system' });
    return settleCaseProposals(trx, caseId, T0, effects);
  });

test('lazy consensus passes at its deadline with a moved clock, and not a moment before', async () => {
  const c = await newCase();
  const id = await propose(t.db, as('bob'), { reference: c.reference }, { kind: 'refer' }, ctx(T0));
  expect((await proposal(id)).deadline_at).toEqual(hours(24));
  expect(events.calls).toContain(`decisionChanged:${id}:proposed`);
  expect(await settleProposals(t.db, new Date(hours(24).getTime() - 1), effects)).toEqual([]);
  expect([(await proposal(id)).status, await caseStatus(c.id)]).toEqual(['open', 'new']);
  expect(await settleProposals(t.db, hours(24), effects)).toEqual([{ id, caseId: c.id, status: 'passed' }]);
  const p = await proposal(id);
  expect([p.status, p.outcome?.rule, p.outcome?.eligible]).toEqual(['passed', 'lazy-consensus', 3]);
  expect(await caseStatus(c.id)).toBe('referred');
  expect(await actions(c.id)).toEqual(['decision.proposed', 'decision.passed']);
});

test('an objection turns it into a vote with a deadline of its own; lazy consensus no longer passes it', async () => {
  const c = await newCase();
  const id = await propose(t.db, as('alice'), { reference: c.reference }, { kind: 'refer' }, ctx(T0));
  await callVote(t.db, as('dave'), { reference: c.reference }, id, 'objection', ctx(hours(20)));
  const p = await proposal(id);
  expect([p.vote_called_at, p.deadline_at]).toEqual([hours(20), hours(44)]);
  expect(await settleProposals(t.db, hours(30), effects)).toEqual([]);
  expect(
    (await domainErrorOf(callVote(t.db, as('bob'), { reference: c.reference }, id, 'demand', ctx(hours(21))))).kind,
  ).toBe('bad-input');
  // At the vote's deadline without a majority it is rejected, and the referral never happens.
  await settleProposals(t.db, hours(44), effects);
  expect([(await proposal(id)).status, await caseStatus(c.id)]).toEqual(['rejected', 'new']);
  expect(await actions(c.id)).toEqual(['decision.proposed', 'decision.vote-called', 'decision.rejected']);
});

test('A votes yes and the vote stays open (one of three eligible); B votes yes and it passes at once', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  const id = await propose(t.db, as('alice'), at, { kind: 'appoint-liaison', subjectMemberId: cast.gina!.id }, ctx(T0));
  await callVote(t.db, as('dave'), at, id, 'demand', ctx(hours(1)));
  const ballot = (name: 'alice' | 'bob', choice: string) => castBallot(t.db, as(name), at, id, choice, ctx(hours(2)));
  expect(await ballot('alice', 'yes')).toBeNull();
  expect((await proposal(id)).status).toBe('open');
  expect(await ballot('bob', 'yes')).toEqual({ id, caseId: c.id, status: 'passed' });
  const p = await proposal(id);
  expect([p.status, p.outcome?.rule, p.outcome?.yes, p.outcome?.eligible, p.outcome?.needed]).toEqual([
    'passed',
    'vote',
    2,
    3,
    2,
  ]);
  expect(applied).toContain(`liaison:${cast.gina!.id}`);
  const readers = await t.db
    .selectFrom('case_readers')
    .select(['member_id', 'via'])
    .where('case_id', '=', c.id)
    .execute();
  expect(readers).toContainEqual({ member_id: cast.gina!.id, via: 'liaison' });
  // The ballots are in the audit log, choice and member; the reader added names the decision.
  const trail = await listCaseAudit(t.db, c.id);
  expect(
    trail.filter((a) => a.action === 'decision.ballot-cast').map((a) => [a.details.memberId, a.details.choice]),
  ).toEqual([
    [cast.alice!.id, 'yes'],
    [cast.bob!.id, 'yes'],
  ]);
  expect(trail.find((a) => a.action === 'access.reader-added')?.details).toMatchObject({
    proposalId: id,
    via: 'liaison',
  });
  expect(events.calls).toEqual(
    expect.arrayContaining([`decisionChanged:${id}:vote-called`, `decisionChanged:${id}:closed`]),
  );
  expect((await domainErrorOf(ballot('alice', 'no'))).message).toMatch(/closed already \(passed\)/);
});

test('a tie fails', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  await recordConflict(c.id, cast.dave!.id, 'soft');
  const id = await propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0));
  await callVote(t.db, as('bob'), at, id, 'demand', ctx(T0));
  expect(await castBallot(t.db, as('alice'), at, id, 'yes', ctx(T0))).toBeNull();
  expect(await castBallot(t.db, as('bob'), at, id, 'no', ctx(T0))).toMatchObject({ status: 'rejected' });
  expect((await proposal(id)).outcome).toMatchObject({ yes: 1, no: 1, eligible: 2, needed: 2 });
  expect(await caseStatus(c.id)).toBe('new');
});

test('a changed ballot counts once, as its last choice', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  const id = await propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0));
  await callVote(t.db, as('bob'), at, id, 'demand', ctx(T0));
  expect(await castBallot(t.db, as('alice'), at, id, 'no', ctx(T0))).toBeNull();
  expect(await castBallot(t.db, as('alice'), at, id, 'yes', ctx(T0))).toBeNull();
  expect(await castBallot(t.db, as('bob'), at, id, 'yes', ctx(T0))).toMatchObject({ status: 'passed' });
  expect((await proposal(id)).outcome).toMatchObject({ yes: 2, no: 0, eligible: 3 });
});

test('abstentions count against: two abstain of three and it fails at once', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  const id = await propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0));
  await callVote(t.db, as('alice'), at, id, 'demand', ctx(T0));
  await castBallot(t.db, as('alice'), at, id, 'yes', ctx(T0));
  expect(await castBallot(t.db, as('bob'), at, id, 'abstain', ctx(T0))).toBeNull();
  expect(await castBallot(t.db, as('dave'), at, id, 'abstain', ctx(T0))).toMatchObject({ status: 'rejected' });
  expect((await proposal(id)).outcome).toMatchObject({ yes: 1, abstain: 2, eligible: 3 });
});

test('an approver added during a vote counts from then on; one removed no longer counts', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  const id = await propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0));
  await callVote(t.db, as('alice'), at, id, 'demand', ctx(T0));
  await castBallot(t.db, as('alice'), at, id, 'yes', ctx(T0));
  // Erin becomes an approver and a reader of the case: four eligible, three yes needed.
  const erin = await addFixtureMember(t.db, 'erin', 'approver');
  await t.db
    .transaction()
    .execute((trx: Transaction<Database>) =>
      addCaseReader(trx, c.id, erin.id, 'extended', { actorMemberId: null, actorLabel: 'operator' }),
    );
  expect(await castBallot(t.db, as('bob'), at, id, 'yes', ctx(T0))).toBeNull();
  await castBallot(t.db, signedIn(erin), at, id, 'no', ctx(T0));
  expect((await proposal(id)).status).toBe('open');
  // Erin is removed: her ballot goes with her, three eligible again, and two yes pass it.
  await removeMember(t.db, erin.email);
  expect(await settleCaseProposals(t.db, c.id, T0, effects)).toEqual([{ id, caseId: c.id, status: 'passed' }]);
  expect((await proposal(id)).outcome).toMatchObject({ yes: 2, no: 0, eligible: 3 });
});

test('a conflict recorded during a vote voids that ballot, and the conflicted approver can no longer vote', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  const id = await propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0));
  await callVote(t.db, as('alice'), at, id, 'demand', ctx(T0));
  await castBallot(t.db, as('bob'), at, id, 'yes', ctx(T0));
  expect(await recordConflict(c.id, cast.bob!.id, 'soft')).toEqual([]);
  // Alice's yes would make two with Bob's: now it is one of two eligible, no majority.
  expect(await castBallot(t.db, as('alice'), at, id, 'yes', ctx(T0))).toBeNull();
  const refused = await domainErrorOf(castBallot(t.db, as('bob'), at, id, 'yes', ctx(T0)));
  expect([refused.kind, refused.message]).toEqual(['forbidden', expect.stringMatching(/conflict of interest/)]);
  expect(await castBallot(t.db, as('dave'), at, id, 'yes', ctx(T0))).toMatchObject({ status: 'passed' });
  expect((await proposal(id)).outcome).toMatchObject({ yes: 2, eligible: 2 });
});

test('no eligible approver left: the proposal lapses when the last one is conflicted', async () => {
  const c = await newCase();
  const id = await propose(t.db, as('alice'), { reference: c.reference }, { kind: 'refer' }, ctx(T0));
  await recordConflict(c.id, cast.alice!.id, 'hard');
  await recordConflict(c.id, cast.bob!.id, 'soft');
  const settled = await recordConflict(c.id, cast.dave!.id, 'soft');
  expect(settled).toEqual([{ id, caseId: c.id, status: 'lapsed' }]);
  expect((await proposal(id)).outcome).toMatchObject({ reason: 'no eligible approver left', eligible: 0 });
  expect(await caseStatus(c.id)).toBe('new');
  expect(await actions(c.id)).toEqual(['decision.proposed', 'decision.lapsed']);
});

test("the system's referral passes by lazy consensus even with nobody eligible left, and is proposed once", async () => {
  const c = await newCase();
  const id = await t.db.transaction().execute((trx) => proposeBySystem(trx, c.id, 'refer', { now: T0, effects }));
  expect(id).not.toBeNull();
  expect(
    await t.db.transaction().execute((trx) => proposeBySystem(trx, c.id, 'refer', { now: T0, effects })),
  ).toBeNull();
  for (const name of ['alice', 'bob', 'dave'] as const) await recordConflict(c.id, cast[name]!.id, 'hard');
  expect((await proposal(id!)).status).toBe('open');
  expect(await settleProposals(t.db, hours(24), effects)).toContainEqual({ id, caseId: c.id, status: 'passed' });
  expect(await caseStatus(c.id)).toBe('referred');
  const trail = await listCaseAudit(t.db, c.id);
  expect(trail.find((a) => a.action === 'decision.proposed')?.actorLabel).toBe('system');
});

test('a decision whose check refuses when it passes lapses, with the reason, and nothing of its effect stays', async () => {
  const c = await newCase();
  const id = await propose(t.db, as('alice'), { reference: c.reference }, { kind: 'refer' }, ctx(T0));
  await t.db.updateTable('cases').set({ status: 'referred' }).where('id', '=', c.id).execute();
  expect(await settleProposals(t.db, hours(24), effects)).toContainEqual({ id, caseId: c.id, status: 'lapsed' });
  expect((await proposal(id)).outcome?.reason).toMatch(
    /can no longer be carried out \(This case is referred already\.\)/,
  );
  const lapsed = (await listCaseAudit(t.db, c.id)).find((a) => a.action === 'decision.lapsed');
  expect(lapsed?.details).toMatchObject({ proposalId: id, because: 'cannot-be-carried-out' });
});

test('an effect that refuses half-way is undone, and the decision lapses', async () => {
  const c = await newCase();
  const halfWay: DecisionEffects = {
    ...effects,
    refer: {
      check: async () => undefined,
      apply: async (trx, s) => {
        await trx.updateTable('cases').set({ status: 'investigating' }).where('id', '=', s.caseId!).execute();
        throw conflict('The committee key was retired meanwhile.');
      },
    },
  };
  const id = await propose(
    t.db,
    as('alice'),
    { reference: c.reference },
    { kind: 'refer' },
    { ...ctx(T0), effects: halfWay },
  );
  expect(await settleCaseProposals(t.db, c.id, hours(24), halfWay)).toEqual([{ id, caseId: c.id, status: 'lapsed' }]);
  expect(await caseStatus(c.id)).toBe('new');
});

test('a project proposal waits 72 hours, counts every approver, and is not there for anyone else', async () => {
  const frank = await addFixtureMember(t.db, 'frank', 'srt');
  const srtOnly: DecisionEffects = {
    ...effects,
    'extend-srt-access': {
      check: async (db, s) => {
        const m = await db.selectFrom('members').select('role').where('id', '=', s.subjectMemberId!).executeTakeFirst();
        if (m?.role !== 'srt')
          throw badInput('Only a member of the Security Response Team gets the closed security cases.');
      },
      apply: async (_trx, s) => void applied.push(`srt:${s.subjectMemberId}`),
    },
  };
  const c = { ...ctx(T0), effects: srtOnly };
  const refused = await domainErrorOf(
    propose(t.db, as('alice'), 'project', { kind: 'extend-srt-access', subjectMemberId: cast.bob!.id }, c),
  );
  expect([refused.kind, (refused as { field?: string }).field]).toEqual(['bad-input', 'propose-extend-srt-access']);
  const id = await propose(t.db, as('alice'), 'project', { kind: 'extend-srt-access', subjectMemberId: frank.id }, c);
  expect((await proposal(id)).deadline_at).toEqual(hours(72));
  expect((await domainErrorOf(castBallot(t.db, signedIn(frank), 'project', id, 'yes', c))).kind).toBe('not-found');
  expect((await domainErrorOf(castBallot(t.db, as('gina'), 'project', id, 'yes', c))).kind).toBe('not-found');
  expect((await domainErrorOf(castBallot(t.db, as('alice'), 'project', id, 'yes', c))).message).toMatch(
    /lazy consensus/,
  );
  // Carol, excluded from the cases above, is an approver: on the project she counts (four eligible).
  await callVote(t.db, as('carol'), 'project', id, 'demand', c);
  await castBallot(t.db, as('alice'), 'project', id, 'yes', c);
  expect(await castBallot(t.db, as('bob'), 'project', id, 'yes', c)).toBeNull();
  expect(await castBallot(t.db, as('carol'), 'project', id, 'yes', c)).toMatchObject({ status: 'passed' });
  expect((await proposal(id)).outcome).toMatchObject({ eligible: 4, needed: 3, yes: 3 });
  expect(applied).toContain(`srt:${frank.id}`);
});

test('two instances settling at once carry out each decision once', async () => {
  const cases = await Promise.all([1, 2, 3, 4, 5].map(() => newCase()));
  const ids: string[] = [];
  for (const c of cases)
    ids.push(await propose(t.db, as('alice'), { reference: c.reference }, { kind: 'refer' }, ctx(T0)));
  const before = applied.length;
  const [one, two] = await Promise.all([
    settleProposals(t.db, hours(24), effects),
    settleProposals(t.db, hours(24), effects),
  ]);
  const settledIds = [...one, ...two].map((s) => s.id).filter((id) => ids.includes(id));
  expect(settledIds.sort()).toEqual([...ids].sort());
  expect(applied.length - before).toBe(5);
  for (const c of cases) expect(await actions(c.id)).toEqual(['decision.proposed', 'decision.passed']);
});

test('the proposer withdraws; nobody else can', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  const id = await propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0));
  expect((await domainErrorOf(withdrawProposal(t.db, as('bob'), at, id, ctx(T0)))).kind).toBe('forbidden');
  await withdrawProposal(t.db, as('alice'), at, id, ctx(T0));
  expect((await proposal(id)).status).toBe('withdrawn');
  expect(await settleProposals(t.db, hours(24), effects)).not.toContainEqual(expect.objectContaining({ id }));
  expect(await actions(c.id)).toEqual(['decision.proposed', 'decision.withdrawn']);
  // The same proposal can be made again once the first is closed; twice at once, it cannot.
  await propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0));
  const twice = await domainErrorOf(propose(t.db, as('bob'), at, { kind: 'refer' }, ctx(T0)));
  expect(twice.message).toMatch(/open already/);
});

test('the excluded cannot see or act: hard-conflicted like a missing case, soft-conflicted refused, a liaison sees none', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  const id = await propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0));
  await callVote(t.db, as('alice'), at, id, 'demand', ctx(T0));
  const missing = await domainErrorOf(
    castBallot(t.db, as('carol'), { reference: 'COC-2099-9999' }, id, 'yes', ctx(T0)),
  );
  for (const attempt of [
    castBallot(t.db, as('carol'), at, id, 'yes', ctx(T0)),
    callVote(t.db, as('carol'), at, id, 'objection', ctx(T0)),
    propose(t.db, as('carol'), at, { kind: 'refer' }, ctx(T0)),
    withdrawProposal(t.db, as('carol'), at, id, ctx(T0)),
  ]) {
    const e = await domainErrorOf(attempt);
    expect([e.kind, e.message]).toEqual([missing.kind, missing.message]);
  }
  await t.db
    .transaction()
    .execute((trx) =>
      addCaseReader(trx, c.id, cast.gina!.id, 'liaison', { actorMemberId: null, actorLabel: 'system' }),
    );
  expect((await domainErrorOf(castBallot(t.db, as('gina'), at, id, 'yes', ctx(T0)))).kind).toBe('not-found');
  await recordConflict(c.id, cast.dave!.id, 'soft');
  expect((await domainErrorOf(propose(t.db, as('dave'), at, { kind: 'refer' }, ctx(T0)))).kind).toBe('forbidden');
  expect((await domainErrorOf(castBallot(t.db, as('dave'), at, id, 'yes', ctx(T0)))).kind).toBe('forbidden');
  // A proposal id of another case, or not an id at all, is not found either.
  const other = await newCase();
  expect(
    (await domainErrorOf(castBallot(t.db, as('alice'), { reference: other.reference }, id, 'yes', ctx(T0)))).kind,
  ).toBe('not-found');
  expect((await domainErrorOf(castBallot(t.db, as('alice'), at, 'not-an-id', 'yes', ctx(T0)))).kind).toBe('not-found');
  expect((await verifyAuditChain(t.db)).ok).toBe(true);
});

test('settling before a page is shown touches only what that member may see', async () => {
  const c = await newCase();
  const id = await propose(t.db, as('alice'), { reference: c.reference }, { kind: 'refer' }, ctx(T0));
  const later = { now: hours(25), effects };
  await settleVisibleProposals(t.db, as('carol'), 'project', later);
  await settleVisibleProposals(t.db, as('carol'), { reference: c.reference }, later);
  await settleVisibleProposals(t.db, as('gina'), { reference: c.reference }, later);
  expect((await proposal(id)).status).toBe('open');
  await settleVisibleProposals(t.db, as('bob'), { reference: c.reference }, later);
  expect((await proposal(id)).status).toBe('passed');
});

test('two approvers proposing the same thing at once make one proposal', async () => {
  const c = await newCase();
  const at = { reference: c.reference };
  const outcomes = await Promise.allSettled([
    propose(t.db, as('alice'), at, { kind: 'refer' }, ctx(T0)),
    propose(t.db, as('bob'), at, { kind: 'refer' }, ctx(T0)),
  ]);
  expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
  const rows = await t.db.selectFrom('proposals').select('id').where('case_id', '=', c.id).execute();
  expect(rows).toHaveLength(1);
  expect(await actions(c.id)).toEqual(['decision.proposed']);
});
