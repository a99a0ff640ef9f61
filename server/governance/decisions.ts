// Proposals, lazy consensus and votes (issue 10 §3). An eligible approver proposes (on a case or on
// the project); an eligible approver objects or demands a vote, which turns it into a vote; eligible
// approvers vote while it is open; the proposer may withdraw it. Each step is audited in the
// transaction that makes it, and settles the proposal there and then, so a vote closes as soon as
// its outcome can no longer change. Who is eligible is counted at every step (decision-settle.ts).
import type { Kysely, Transaction } from 'kysely';
import type { BallotChoice, Database, ProposalKind } from '../../db/database';
import {
  hasOpenOrPassedProposal,
  insertProposal,
  markVoteCalled,
  closeProposal,
  upsertBallot,
  visibleOpenProposalIds,
  type ProposalRow,
} from '../../db/proposals.queries';
import { conflictCaseId } from '../../db/decision-people.queries';
import type { CaseDetail } from '../../db/case-view.queries';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents, DecisionChange } from '../cases/case-events';
import { DomainError, badInput, forbidden } from '../errors';
import { badField } from '../field-errors';
import {
  lockVisibleOpen,
  onProposalField,
  requireEligible,
  requiredId,
  scopeCase,
  type ProposalScope,
} from './decision-scope';

export type { ProposalScope };
import { DECISION_EFFECTS } from './decision-effects';
import { isVote } from './decision-rules';
import { BUILT_IN_CHARTER, decisionPeriods } from './charter';
import {
  settleCaseProposals,
  settleLocked,
  settleProposals,
  subjectOf,
  type DecisionEffects,
  type SettledProposal,
} from './decision-settle';

/** How long lazy consensus waits for an objection, and a vote for ballots (config: LAZY_CONSENSUS_HOURS, COC_LAZY_CONSENSUS_HOURS). */
export interface DecisionPeriods {
  lazyConsensusHours: number;
  cocLazyConsensusHours: number;
}

export const DEFAULT_DECISION_PERIODS: DecisionPeriods = Object.freeze({
  lazyConsensusHours: 72,
  cocLazyConsensusHours: 24,
});

/** What every step needs besides its input: the clock (tests move it), the periods, who hears of it. */
export interface DecisionContext {
  now: Date;
  periods: DecisionPeriods;
  events?: Pick<CaseEvents, 'decisionChanged'>;
  /** Tests only: effects of their own (defaults to DECISION_EFFECTS). */
  effects?: DecisionEffects;
}

export const CASE_PROPOSAL_KINDS: readonly ProposalKind[] = [
  'refer',
  'appoint-liaison',
  'end-liaison',
  'lift-conflict',
  'downgrade-conflict',
  'resolve-coc',
  'publish-advisory',
  'lift-legal-hold',
];
export const PROJECT_PROPOSAL_KINDS: readonly ProposalKind[] = [
  'extend-srt-access',
  'appoint-srt',
  'srt-reviewed',
  'change-setting',
];

export interface ProposalInput {
  kind: string;
  subjectMemberId?: string;
  subjectConflictId?: string;
  /** A setting's key (change-setting). */
  subjectKey?: string;
  /** What the decision would do, parsed by the owning module's form handler and checked by the kind's `check`. */
  payload?: unknown;
}

function periodHours(periods: DecisionPeriods, detail: Pick<CaseDetail, 'kind'> | null): number {
  return detail?.kind === 'coc' ? periods.cocLazyConsensusHours : periods.lazyConsensusHours;
}

const addHours = (at: Date, hours: number) => new Date(at.getTime() + hours * 3_600_000);

/** Makes a proposal; returns its id. The proposer must be eligible, and the kind's check must accept it. */
export async function propose(
  db: Kysely<Database>,
  member: SignedInMember,
  scope: ProposalScope,
  input: ProposalInput,
  ctx: DecisionContext,
): Promise<string> {
  const detail = await scopeCase(db, member, scope);
  const kinds = detail ? CASE_PROPOSAL_KINDS : PROJECT_PROPOSAL_KINDS;
  const kind = kinds.find((k) => k === input.kind);
  const field = `propose-${kind ?? 'kind'}`;
  if (!kind) throw badField(field, 'Choose what to propose from the list on this page.');
  await requireEligible(db, member, detail?.id ?? null);
  const subject = {
    caseId: detail?.id ?? null,
    subjectMemberId: needsMember(kind) ? requiredId(input.subjectMemberId, field, 'Choose a member.') : null,
    subjectConflictId: needsConflict(kind) ? requiredId(input.subjectConflictId, field, 'Choose a conflict.') : null,
    subjectKey: needsKey(kind) ? requiredKey(input.subjectKey, field) : null,
    payload: input.payload ?? null,
  };
  if (subject.subjectConflictId && (await conflictCaseId(db, subject.subjectConflictId)) !== subject.caseId)
    throw badField(field, 'Choose a conflict recorded on this case.');
  const effects = ctx.effects ?? DECISION_EFFECTS;
  await onProposalField(field, () => effects[kind].check(db, subject));
  const threshold = effects[kind].threshold?.(subject) ?? 'majority';
  const id = await db.transaction().execute(async (trx) => {
    const proposalId = await insertProposal(trx, {
      ...subject,
      kind,
      proposedByMemberId: member.id,
      bySystem: false,
      deadlineAt: addHours(ctx.now, periodHours(ctx.periods, detail)),
      threshold,
      // Lazy consensus cannot reach two-thirds of all approvers: such a proposal is a vote from the start.
      voteCalledAt: threshold === 'two-thirds' ? ctx.now : null,
    });
    if (!proposalId) throw badField(field, 'The same proposal is open already: object to it, or vote on it.');
    await auditProposed(trx, proposalId, subject, kind, member.id);
    return proposalId;
  });
  await ctx.events?.decisionChanged(id, 'proposed');
  return id;
}

/**
 * The system's proposal (a majority of the approvers hard-conflicted: the CNCF procedures require
 * the referral), inside the caller's transaction. Returns its id, or null when the same proposal is
 * open or has passed already, or the referral cannot be made (its check refuses). The caller tells
 * `events.decisionChanged(id, 'proposed')` once its transaction commits.
 */
export async function proposeBySystem(
  trx: Transaction<Database>,
  caseId: string,
  kind: 'refer',
  options: { now?: Date; periods?: DecisionPeriods; effects?: DecisionEffects } = {},
): Promise<string | null> {
  if (await hasOpenOrPassedProposal(trx, caseId, kind)) return null;
  const subject = { caseId, subjectMemberId: null, subjectConflictId: null };
  try {
    await (options.effects ?? DECISION_EFFECTS)[kind].check(trx, subject);
  } catch (error) {
    if (error instanceof DomainError) return null;
    throw error;
  }
  const periods = options.periods ?? (await decisionPeriods(trx, BUILT_IN_CHARTER));
  const id = await insertProposal(trx, {
    ...subject,
    kind,
    proposedByMemberId: null,
    bySystem: true,
    deadlineAt: addHours(options.now ?? new Date(), periods.cocLazyConsensusHours),
  });
  if (id) await auditProposed(trx, id, subject, kind, null);
  return id;
}

/** An eligible approver objects to a lazy-consensus proposal, or demands a vote: from now on it is a vote. */
export async function callVote(
  db: Kysely<Database>,
  member: SignedInMember,
  scope: ProposalScope,
  proposalId: string,
  as: 'objection' | 'demand',
  ctx: DecisionContext,
): Promise<SettledProposal | null> {
  return step(db, member, scope, proposalId, ctx, 'vote-called', async (trx, p, detail) => {
    if (isVote(p)) throw badInput('A vote is already called on this proposal: cast your ballot instead.');
    const deadlineAt = addHours(ctx.now, periodHours(ctx.periods, detail));
    await markVoteCalled(trx, p.id, { at: ctx.now, memberId: member.id, as, deadlineAt });
    await appendAudit(trx, {
      caseId: p.caseId,
      actorMemberId: member.id,
      action: 'decision.vote-called',
      details: { proposalId: p.id, as, deadline: deadlineAt.toISOString() },
    });
    return { ...p, voteCalledAt: ctx.now, deadlineAt };
  });
}

/** Casts or changes the member's ballot on a vote; the vote closes at once if its outcome can no longer change. */
export async function castBallot(
  db: Kysely<Database>,
  member: SignedInMember,
  scope: ProposalScope,
  proposalId: string,
  choice: string,
  ctx: DecisionContext,
): Promise<SettledProposal | null> {
  const valid = (['yes', 'no', 'abstain'] as const).find((c) => c === choice);
  if (!valid) throw badInput('Vote yes, no or abstain.');
  return step(db, member, scope, proposalId, ctx, null, async (trx, p) => {
    if (!isVote(p)) throw badInput('This proposal passes by lazy consensus: object or demand a vote first.');
    await upsertBallot(trx, p.id, member.id, valid as BallotChoice, ctx.now);
    await appendAudit(trx, {
      caseId: p.caseId,
      actorMemberId: member.id,
      action: 'decision.ballot-cast',
      details: { proposalId: p.id, memberId: member.id, choice: valid },
    });
    return p;
  });
}

/** The proposer takes back an open proposal. */
export async function withdrawProposal(
  db: Kysely<Database>,
  member: SignedInMember,
  scope: ProposalScope,
  proposalId: string,
  ctx: DecisionContext,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const { p } = await lockVisibleOpen(trx, member, scope, proposalId);
    if (p.proposedByMemberId !== member.id) throw forbidden('Only the member who made a proposal can withdraw it.');
    await closeProposal(trx, p.id, 'withdrawn', ctx.now, { reason: 'withdrawn by the proposer' });
    await appendAudit(trx, {
      caseId: p.caseId,
      actorMemberId: member.id,
      action: 'decision.withdrawn',
      details: { proposalId: p.id, kind: p.kind },
    });
  });
  await ctx.events?.decisionChanged(proposalId, 'closed');
}

/** One step of an eligible approver on an open proposal, then settling it in the same transaction. */
async function step(
  db: Kysely<Database>,
  member: SignedInMember,
  scope: ProposalScope,
  proposalId: string,
  ctx: DecisionContext,
  change: DecisionChange | null,
  work: (trx: Transaction<Database>, p: ProposalRow, detail: CaseDetail | null) => Promise<ProposalRow>,
): Promise<SettledProposal | null> {
  const settled = await db.transaction().execute(async (trx) => {
    const { p, detail } = await lockVisibleOpen(trx, member, scope, proposalId);
    await requireEligible(trx, member, p.caseId);
    const changed = await work(trx, p, detail);
    return settleLocked(trx, changed, ctx.now, ctx.effects);
  });
  if (change) await ctx.events?.decisionChanged(proposalId, change);
  if (settled) await ctx.events?.decisionChanged(proposalId, 'closed');
  return settled;
}

async function auditProposed(
  trx: Transaction<Database>,
  proposalId: string,
  subject: ReturnType<typeof subjectOf>,
  kind: ProposalKind,
  memberId: string | null,
): Promise<void> {
  await appendAudit(trx, {
    caseId: subject.caseId,
    actorMemberId: memberId,
    actorLabel: memberId ? 'member' : 'system',
    action: 'decision.proposed',
    details: {
      proposalId,
      kind,
      ...(subject.subjectMemberId ? { subjectMemberId: subject.subjectMemberId } : {}),
      ...(subject.subjectConflictId ? { subjectConflictId: subject.subjectConflictId } : {}),
    },
  });
}

const needsMember = (kind: ProposalKind) =>
  kind === 'appoint-liaison' || kind === 'end-liaison' || kind === 'extend-srt-access';
const needsConflict = (kind: ProposalKind) => kind === 'lift-conflict' || kind === 'downgrade-conflict';
const needsKey = (kind: ProposalKind) => kind === 'change-setting';

function requiredKey(value: string | undefined, field: string): string {
  if (!value || !/^[a-z0-9][a-z0-9.-]{0,99}$/.test(value)) throw badField(field, 'Choose a setting.');
  return value;
}

/**
 * Before a member's page shows decisions (the case page, the decisions page): settles those whose
 * outcome is final by the decisions clock, so the page never shows an outcome that is due as open,
 * and tells of each one closed. Only proposals this member may see are touched; any other reference
 * is left alone (the page itself answers it).
 */
export async function settleVisibleProposals(
  db: Kysely<Database>,
  member: SignedInMember,
  scope: ProposalScope,
  ctx: Pick<DecisionContext, 'now' | 'events' | 'effects'>,
): Promise<void> {
  let settled: SettledProposal[];
  try {
    const detail = await scopeCase(db, member, scope);
    settled = detail
      ? await settleCaseProposals(db, detail.id, ctx.now, ctx.effects)
      : await settleProposals(db, ctx.now, ctx.effects, await visibleOpenProposalIds(db, member.id));
  } catch (error) {
    if (error instanceof DomainError && (error.kind === 'not-found' || error.kind === 'bad-input')) return;
    throw error;
  }
  for (const s of settled) await ctx.events?.decisionChanged(s.id, 'closed');
}
