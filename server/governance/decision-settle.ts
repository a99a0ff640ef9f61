// Settling decisions: every open proposal whose outcome is final is closed with its computed tally,
// and a passed one is checked again and carried out in the same transaction. The electorate is
// counted at this moment, never frozen when the proposal opened (DESIGN §3, the membership rule).
import type { Kysely, Transaction } from 'kysely';
import type { Database, ProposalKind } from '../../db/database';
import { activeConflicts } from '../../db/case-conflicts.queries';
import {
  closeProposal,
  listBallots,
  lockOpenProposalIfFree,
  lockOpenProposals,
  openProposalIds,
  withSavepoint,
  type ProposalRow,
} from '../../db/proposals.queries';
import { approverIds, approverReaderIds, srtReaderIdsOfSecurityCase } from '../../db/decision-people.queries';
import { appendAudit } from '../audit/audit-log';
import { DomainError } from '../errors';
import { conflictLevels } from './conflict-levels';
import { DECISION_EFFECTS, type DecisionEffect, type DecisionSubject } from './decision-effects';
import { decide, type Electorate, type Verdict } from './decision-rules';

type Db = Kysely<Database> | Transaction<Database>;

/** What carries out each kind of decision; tests may pass a table of their own. */
export type DecisionEffects = Readonly<Record<ProposalKind, DecisionEffect>>;

export interface SettledProposal {
  id: string;
  caseId: string | null;
  status: 'passed' | 'rejected' | 'lapsed';
}

/** Who counts now: on a case, the approvers who read it and have no conflict on it; on the project, every approver. */
export async function electorateOf(db: Db, caseId: string | null): Promise<Electorate> {
  const approvers = await approverIds(db);
  if (caseId === null) return { eligible: new Set(approvers), approvers: approvers.length };
  // A security case a delegated SRT handles alone has no approver reading it: the team the approvers
  // delegated security reports to decides on it (publishing its advisory, lifting a hold).
  let readers = await approverReaderIds(db, caseId);
  if (readers.length === 0) readers = await srtReaderIdsOfSecurityCase(db, caseId);
  const levels = conflictLevels(await activeConflicts(db, caseId));
  return { eligible: new Set(readers.filter((id) => !levels.has(id))), approvers: approvers.length };
}

export function subjectOf(p: ProposalRow): DecisionSubject {
  return {
    caseId: p.caseId,
    subjectMemberId: p.subjectMemberId,
    subjectConflictId: p.subjectConflictId,
    subjectKey: p.subjectKey,
    payload: p.payload,
  };
}

/** The verdict on a proposal now, without changing anything. */
export async function currentVerdict(
  db: Db,
  p: ProposalRow,
  now: Date,
): Promise<{ verdict: Verdict; electorate: Electorate }> {
  const electorate = await electorateOf(db, p.caseId);
  const ballots = (await listBallots(db, [p.id])).get(p.id) ?? [];
  const verdict = decide(
    { threshold: p.threshold, bySystem: p.bySystem, deadlineAt: p.deadlineAt, voteCalledAt: p.voteCalledAt },
    ballots,
    electorate,
    now,
  );
  return { verdict, electorate };
}

const OUTCOME_ACTIONS = {
  passed: 'decision.passed',
  rejected: 'decision.rejected',
  lapsed: 'decision.lapsed',
} as const;

/**
 * Settles one proposal the caller has locked: if its outcome is final, records it, then — when it
 * passed — runs its check again and its effect. A check or effect that refuses (a DomainError)
 * undoes only the effect's writes and the decision lapses, with the refusal as its reason.
 */
export async function settleLocked(
  trx: Transaction<Database>,
  p: ProposalRow,
  now: Date,
  effects: DecisionEffects = DECISION_EFFECTS,
): Promise<SettledProposal | null> {
  const { verdict } = await currentVerdict(trx, p, now);
  if (verdict.status === 'open') return null;
  let status = verdict.status;
  let reason = verdict.reason;
  let because: string = verdict.status === 'lapsed' ? 'no-eligible-approver' : verdict.rule;
  const outcome = () => ({ rule: verdict.rule, ...verdict.tally, reason });
  await closeProposal(trx, p.id, status, now, outcome());
  if (status === 'passed') {
    const effect = effects[p.kind];
    const done = await withSavepoint(trx, async () => {
      await effect.check(trx, subjectOf(p));
      await effect.apply(trx, subjectOf(p), { actorMemberId: null, actorLabel: 'system', proposalId: p.id });
    });
    if (!done.ok) {
      if (!(done.error instanceof DomainError)) throw done.error;
      status = 'lapsed';
      because = 'cannot-be-carried-out';
      reason = `lapsed: it passed, but can no longer be carried out (${done.error.message})`;
      await closeProposal(trx, p.id, status, now, outcome());
    }
  }
  const t = verdict.tally;
  await appendAudit(trx, {
    caseId: p.caseId,
    actorMemberId: null,
    actorLabel: 'system',
    action: OUTCOME_ACTIONS[status],
    details: {
      proposalId: p.id,
      kind: p.kind,
      rule: verdict.rule,
      because,
      eligible: t.eligible,
      yes: t.yes,
      no: t.no,
      abstain: t.abstain,
      needed: t.needed,
    },
  });
  return { id: p.id, caseId: p.caseId, status };
}

/**
 * Settles every open proposal whose outcome is final at `now`, each in its own transaction. Safe
 * from several instances at once: a proposal another transaction holds is skipped (its holder
 * settles it), and one already closed is no longer open.
 */
export async function settleProposals(
  db: Kysely<Database>,
  now: Date,
  effects: DecisionEffects = DECISION_EFFECTS,
  /** Only these (still open) proposals; all open ones when not given. */
  only?: readonly string[],
): Promise<SettledProposal[]> {
  const settled: SettledProposal[] = [];
  for (const id of only ?? (await openProposalIds(db))) {
    const done = await db.transaction().execute(async (trx) => {
      const p = await lockOpenProposalIfFree(trx, id);
      return p ? settleLocked(trx, p, now, effects) : null;
    });
    if (done) settled.push(done);
  }
  return settled;
}

/**
 * Settles the open proposals of one case now: call it whenever the case's electorate changed (a
 * conflict recorded, lifted or downgraded, a reader added or removed). Given a transaction, it
 * settles inside it (and waits for locks); the caller tells `events.decisionChanged(id, 'closed')`
 * for each returned proposal once that transaction commits.
 */
export async function settleCaseProposals(
  db: Db,
  caseId: string,
  now: Date,
  effects: DecisionEffects = DECISION_EFFECTS,
): Promise<SettledProposal[]> {
  const run = async (trx: Transaction<Database>) => {
    const settled: SettledProposal[] = [];
    for (const p of await lockOpenProposals(trx, { caseId, skipLocked: false })) {
      const done = await settleLocked(trx, p, now, effects);
      if (done) settled.push(done);
    }
    return settled;
  };
  return db.isTransaction ? run(db as Transaction<Database>) : db.transaction().execute(run);
}
