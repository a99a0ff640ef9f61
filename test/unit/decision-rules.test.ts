// The counting rules on their own: lazy consensus, simple majority of all eligible, two-thirds of all
// approvers, ties, abstentions, early close both ways, the deadline, nobody eligible, the system's referral.
import type { BallotChoice } from '../../db/database';
import {
  decide,
  tally,
  yesNeeded,
  type CountedProposal,
  type Electorate,
} from '../../server/governance/decision-rules';

const T0 = new Date('2026-12-01T12:00:00Z');
const DEADLINE = new Date('2026-12-02T12:00:00Z');
const BEFORE = new Date(DEADLINE.getTime() - 1);

const lazy: CountedProposal = { threshold: 'majority', bySystem: false, deadlineAt: DEADLINE, voteCalledAt: null };
const vote: CountedProposal = { ...lazy, voteCalledAt: T0 };
const electorate = (ids: string[], approvers = ids.length): Electorate => ({ eligible: new Set(ids), approvers });
const ballots = (choices: Record<string, BallotChoice>) =>
  Object.entries(choices).map(([memberId, choice]) => ({ memberId, choice }));

describe('lazy consensus', () => {
  test('stays open before the deadline and passes at it', () => {
    expect(decide(lazy, [], electorate(['a', 'b']), BEFORE).status).toBe('open');
    const at = decide(lazy, [], electorate(['a', 'b']), DEADLINE);
    expect([at.status, at.rule]).toEqual(['passed', 'lazy-consensus']);
    expect(at.reason).toMatch(/nobody objected/);
  });
  test('lapses at once when nobody eligible is left', () => {
    const v = decide(lazy, [], electorate([], 3), BEFORE);
    expect([v.status, v.reason]).toEqual(['lapsed', 'no eligible approver left']);
  });
  test("the system's referral with nobody eligible passes by lazy consensus at the deadline", () => {
    const system = { ...lazy, bySystem: true };
    expect(decide(system, [], electorate([], 4), BEFORE).status).toBe('open');
    expect(decide(system, [], electorate([], 4), DEADLINE)).toMatchObject({ status: 'passed', rule: 'lazy-consensus' });
    expect(decide({ ...system, voteCalledAt: T0 }, [], electorate([]), DEADLINE).status).toBe('passed');
  });
});

describe('a vote (simple majority of all eligible)', () => {
  const three = electorate(['a', 'b', 'd']);
  test('one yes of three eligible stays open; a second passes at once, before the deadline', () => {
    expect(decide(vote, ballots({ a: 'yes' }), three, BEFORE).status).toBe('open');
    const v = decide(vote, ballots({ a: 'yes', b: 'yes' }), three, BEFORE);
    expect([v.status, v.rule, v.tally.yes, v.tally.needed]).toEqual(['passed', 'vote', 2, 2]);
  });
  test('fails early when even every remaining eligible voting yes could not reach a majority', () => {
    expect(decide(vote, ballots({ a: 'no' }), three, BEFORE).status).toBe('open');
    const v = decide(vote, ballots({ a: 'no', b: 'abstain' }), three, BEFORE);
    expect([v.status, v.tally.notVoted]).toEqual(['rejected', 1]);
  });
  test('a tie fails', () => {
    const four = electorate(['a', 'b', 'c', 'd']);
    expect(decide(vote, ballots({ a: 'yes', b: 'yes', c: 'no', d: 'no' }), four, BEFORE).status).toBe('rejected');
    const two = electorate(['a', 'b']);
    expect(decide(vote, ballots({ a: 'yes', b: 'no' }), two, BEFORE).status).toBe('rejected');
  });
  test('abstentions and silence count against: a majority of those who voted is not enough', () => {
    const five = electorate(['a', 'b', 'c', 'd', 'e']);
    const v = decide(vote, ballots({ a: 'yes', b: 'yes', c: 'abstain' }), five, BEFORE);
    expect([v.status, v.tally.abstain, v.tally.needed]).toEqual(['open', 1, 3]);
    expect(decide(vote, ballots({ a: 'yes', b: 'yes', c: 'abstain' }), five, DEADLINE).status).toBe('rejected');
  });
  test('at the deadline without a majority it is rejected', () => {
    const v = decide(vote, ballots({ a: 'yes' }), three, DEADLINE);
    expect([v.status, v.reason]).toEqual(['rejected', 'rejected at the deadline: 1 yes of 3 eligible, 2 needed']);
  });
  test('a ballot of someone no longer eligible does not count', () => {
    const v = decide(vote, ballots({ a: 'yes', x: 'yes' }), three, BEFORE);
    expect([v.status, v.tally.yes, v.tally.notVoted]).toEqual(['open', 1, 2]);
  });
  test('an electorate that grew needs more yes votes, one that shrank fewer', () => {
    expect(decide(vote, ballots({ a: 'yes', b: 'yes' }), electorate(['a', 'b', 'c', 'd']), BEFORE).status).toBe('open');
    expect(decide(vote, ballots({ a: 'yes' }), electorate(['a']), BEFORE).status).toBe('passed');
  });
  test('nobody eligible left lapses the vote', () => {
    expect(decide(vote, ballots({ a: 'yes' }), electorate([], 2), BEFORE)).toMatchObject({
      status: 'lapsed',
      reason: 'no eligible approver left',
    });
  });
});

describe('two-thirds of all existing approvers', () => {
  const twoThirds: CountedProposal = { ...lazy, threshold: 'two-thirds' };
  test('needs ceil(2/3 of approvers) yes votes, and is a vote from the start', () => {
    expect([3, 4, 5, 6].map((n) => yesNeeded('two-thirds', electorate([], n)))).toEqual([2, 3, 4, 4]);
    const six = electorate(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(decide(twoThirds, [], six, DEADLINE).status).toBe('rejected');
    expect(decide(twoThirds, ballots({ a: 'yes', b: 'yes', c: 'yes' }), six, BEFORE).status).toBe('open');
    expect(decide(twoThirds, ballots({ a: 'yes', b: 'yes', c: 'yes', d: 'yes' }), six, BEFORE).status).toBe('passed');
    expect(decide(twoThirds, ballots({ a: 'no', b: 'no', c: 'no' }), six, BEFORE).status).toBe('rejected');
  });
});

test('the tally counts each choice of the eligible', () => {
  expect(
    tally('majority', ballots({ a: 'yes', b: 'no', c: 'abstain', z: 'yes' }), electorate(['a', 'b', 'c', 'd'], 5)),
  ).toEqual({
    eligible: 4,
    approvers: 5,
    yes: 1,
    no: 1,
    abstain: 1,
    notVoted: 1,
    needed: 3,
  });
});
