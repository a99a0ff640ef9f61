// The counting rules of a decision (GOVERNANCE "Voting", DESIGN §3 rule 6), as pure functions: given
// the proposal, its ballots, who is eligible now and the time, is it still open, and if not, how did
// it end and why. Nothing here reads the database or the clock, so every rule is tested on its own.
import type { BallotChoice } from '../../db/database';

export type Threshold = 'majority' | 'two-thirds';

export interface CountedProposal {
  threshold: Threshold;
  /** Proposed by the system (a majority of the approvers hard-conflicted): passes even with nobody left to count. */
  bySystem: boolean;
  deadlineAt: Date;
  /** Set when an eligible approver objected or demanded a vote. */
  voteCalledAt: Date | null;
}

/** Who counts at this moment (never frozen when the proposal opened). */
export interface Electorate {
  /** Approvers who may vote on it now: on a case, its readers without a conflict; on the project, every approver. */
  eligible: ReadonlySet<string>;
  /** Every current approver (two-thirds votes count against all existing approvers). */
  approvers: number;
}

export interface Tally {
  eligible: number;
  approvers: number;
  yes: number;
  no: number;
  abstain: number;
  notVoted: number;
  /** Yes votes the proposal needs to pass as a vote. */
  needed: number;
}

export type Rule = 'lazy-consensus' | 'vote';

export interface Verdict {
  status: 'open' | 'passed' | 'rejected' | 'lapsed';
  rule: Rule;
  tally: Tally;
  /** Why it ended (or why it is still open), in words. */
  reason: string;
}

export const NO_ELIGIBLE_APPROVER = 'no eligible approver left';

/** Yes votes needed: more than half of all eligible; or two-thirds of all existing approvers. */
export function yesNeeded(threshold: Threshold, electorate: Electorate): number {
  return threshold === 'two-thirds'
    ? Math.ceil((2 * electorate.approvers) / 3)
    : Math.floor(electorate.eligible.size / 2) + 1;
}

/** Counts the ballots of eligible members only: a ballot of someone removed or conflicted since no longer counts. */
export function tally(
  threshold: Threshold,
  ballots: readonly { memberId: string; choice: BallotChoice }[],
  electorate: Electorate,
): Tally {
  const counts = { yes: 0, no: 0, abstain: 0 };
  for (const b of ballots) if (electorate.eligible.has(b.memberId)) counts[b.choice] += 1;
  const voted = counts.yes + counts.no + counts.abstain;
  return {
    eligible: electorate.eligible.size,
    approvers: electorate.approvers,
    ...counts,
    notVoted: electorate.eligible.size - voted,
    needed: yesNeeded(threshold, electorate),
  };
}

/** Two-thirds decisions (charter changes) are always votes; others become one when someone objects. */
export function isVote(p: CountedProposal): boolean {
  return p.voteCalledAt !== null || p.threshold === 'two-thirds';
}

export function decide(
  p: CountedProposal,
  ballots: readonly { memberId: string; choice: BallotChoice }[],
  electorate: Electorate,
  now: Date,
): Verdict {
  const t = tally(p.threshold, ballots, electorate);
  const due = now.getTime() >= p.deadlineAt.getTime();
  const vote = isVote(p);
  const rule: Rule = vote ? 'vote' : 'lazy-consensus';
  if (t.eligible === 0) {
    // The CNCF procedures require the referral when the approvers cannot decide: it still goes.
    if (p.bySystem)
      return due
        ? {
            status: 'passed',
            rule: 'lazy-consensus',
            tally: t,
            reason: `passed by lazy consensus: ${NO_ELIGIBLE_APPROVER}, and the system's referral goes ahead`,
          }
        : { status: 'open', rule: 'lazy-consensus', tally: t, reason: 'waiting for the deadline' };
    return { status: 'lapsed', rule, tally: t, reason: NO_ELIGIBLE_APPROVER };
  }
  if (!vote)
    return due
      ? { status: 'passed', rule, tally: t, reason: 'passed by lazy consensus: nobody objected by the deadline' }
      : { status: 'open', rule, tally: t, reason: 'waiting for objections until the deadline' };
  const of = `${t.yes} yes of ${t.eligible} eligible, ${t.needed} needed`;
  if (t.yes >= t.needed) return { status: 'passed', rule, tally: t, reason: `passed by vote: ${of}` };
  if (t.yes + t.notVoted < t.needed)
    return { status: 'rejected', rule, tally: t, reason: `rejected by vote: ${of}; the votes left cannot reach it` };
  if (due) return { status: 'rejected', rule, tally: t, reason: `rejected at the deadline: ${of}` };
  return { status: 'open', rule, tally: t, reason: `voting: ${of}` };
}
