// The case page's "decisions" part, and the project's decisions page: proposals in words, their
// tally counted now, this member's own ballot and what it may do. Liaisons see none of it; a
// soft-conflicted reader sees it but may not act. OWNER: helper "decisions".
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { activeConflicts } from '../../db/case-conflicts.queries';
import { listBallots, listProposals, openProposalsOnReadableCases, type ProposalRow } from '../../db/proposals.queries';
import { conflictMemberIds, currentLiaisons, memberNames, membersWithRole } from '../../db/decision-people.queries';
import { srtMembers } from './srt-team';
import type { SignedInMember } from '../auth/signed-in-member';
import { DomainError } from '../errors';
import { conflictLevels } from './conflict-levels';
import { DECISION_EFFECTS } from './decision-effects';
import { decide, isVote, tally, type Electorate } from './decision-rules';
import { electorateOf, type DecisionEffects } from './decision-settle';
import { CHOICE_WORDS, STATUS_WORDS, proposalTitle } from './decision-words';

export interface ProposalView {
  id: string;
  title: string;
  status: string;
  statusWords: string;
  open: boolean;
  proposer: string;
  createdAt: Date;
  deadlineAt: Date;
  closedAt: Date | null;
  /** 'lazy': passes at the deadline unless someone objects; 'vote'. */
  mode: 'lazy' | 'vote';
  voteCalledBy: string | null;
  voteCalledAs: 'objection' | 'demand' | null;
  tally: { yes: number; no: number; abstain: number; eligible: number; needed: number };
  reason: string | null;
  myBallot: string | null;
  canObject: boolean;
  canVote: boolean;
  canWithdraw: boolean;
}

/** Words and tallies of these proposals for this member, the electorate counted now (open) or as it closed. */
export async function proposalViews(
  db: Kysely<Database>,
  member: SignedInMember,
  proposals: readonly ProposalRow[],
  electorate: Electorate,
  now: Date,
): Promise<ProposalView[]> {
  const ballots = await listBallots(
    db,
    proposals.map((p) => p.id),
  );
  const conflictMembers = await conflictMemberIds(
    db,
    proposals.flatMap((p) => (p.subjectConflictId ? [p.subjectConflictId] : [])),
  );
  const subjectOf = (p: ProposalRow) =>
    p.subjectMemberId ?? (p.subjectConflictId ? (conflictMembers.get(p.subjectConflictId) ?? null) : null);
  const names = await memberNames(db, [
    ...new Set(
      proposals
        .flatMap((p) => [p.proposedByMemberId, p.voteCalledByMemberId, subjectOf(p)])
        .filter((id) => id !== null),
    ),
  ] as string[]);
  const name = (id: string | null, missing: string) => (id ? (names.get(id) ?? missing) : missing);
  const mayAct = electorate.eligible.has(member.id);
  return proposals.map((p) => {
    const mine = ballots.get(p.id)?.find((b) => b.memberId === member.id)?.choice ?? null;
    const counted = p.status === 'open' ? tally(p.threshold, ballots.get(p.id) ?? [], electorate) : null;
    const stored = p.outcome as Record<string, unknown> | null;
    const figure = (key: 'yes' | 'no' | 'abstain' | 'eligible' | 'needed') =>
      counted ? counted[key] : typeof stored?.[key] === 'number' ? (stored[key] as number) : 0;
    const open = p.status === 'open';
    const vote = isVote(p);
    const reason = open
      ? decide(p, ballots.get(p.id) ?? [], electorate, now).reason
      : typeof stored?.reason === 'string'
        ? stored.reason
        : null;
    return {
      id: p.id,
      title: proposalTitle(p.kind, name(subjectOf(p), 'a former member'), p.subjectKey, p.payload),
      status: p.status,
      statusWords: STATUS_WORDS[p.status],
      open,
      proposer: p.bySystem
        ? 'the system (the CNCF procedures require it)'
        : name(p.proposedByMemberId, 'a former member'),
      createdAt: p.createdAt,
      deadlineAt: p.deadlineAt,
      closedAt: p.closedAt,
      mode: vote ? 'vote' : 'lazy',
      voteCalledBy: p.voteCalledByMemberId ? name(p.voteCalledByMemberId, 'a former member') : null,
      voteCalledAs: p.voteCalledAs,
      tally: {
        yes: figure('yes'),
        no: figure('no'),
        abstain: figure('abstain'),
        eligible: figure('eligible'),
        needed: figure('needed'),
      },
      reason,
      myBallot: mine ? (CHOICE_WORDS[mine] ?? mine) : null,
      canObject: open && mayAct && !vote,
      canVote: open && mayAct && vote,
      canWithdraw: open && p.proposedByMemberId === member.id,
    };
  });
}

export async function decisionsView(
  db: Kysely<Database>,
  member: SignedInMember,
  detail: CaseDetail,
  now: Date,
  effects: DecisionEffects = DECISION_EFFECTS,
) {
  if (member.role === 'liaison') return null;
  const proposals = await listProposals(db, detail.id);
  // Every kind of case decision is about a Code of Conduct case; a security case shows the part only if it has some.
  if (detail.kind !== 'coc' && proposals.length === 0) return null;
  const electorate = await electorateOf(db, detail.id);
  const views = await proposalViews(db, member, proposals, electorate, now);
  const mayPropose = electorate.eligible.has(member.id);
  return {
    reference: detail.reference,
    open: views.filter((v) => v.open),
    past: views.filter((v) => !v.open),
    eligible: electorate.eligible.size,
    mayPropose,
    iAmEligible: mayPropose,
    forms: mayPropose && detail.kind === 'coc' ? await proposalForms(db, detail, proposals, effects) : null,
  };
}

/** What may be proposed on this CoC case now: each list holds only what its check accepts or an open proposal lacks. */
async function proposalForms(
  db: Kysely<Database>,
  detail: CaseDetail,
  proposals: readonly ProposalRow[],
  effects: DecisionEffects,
) {
  const openOf = (kind: ProposalRow['kind']) => proposals.filter((p) => p.status === 'open' && p.kind === kind);
  const candidates = [];
  for (const m of await membersWithRole(db, 'liaison')) {
    if (openOf('appoint-liaison').some((p) => p.subjectMemberId === m.id)) continue;
    try {
      await effects['appoint-liaison'].check(db, { caseId: detail.id, subjectMemberId: m.id, subjectConflictId: null });
      candidates.push(m);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  const conflicts = await activeConflicts(db, detail.id);
  const levels = conflictLevels(conflicts);
  const names = await memberNames(db, [...new Set(conflicts.map((c) => c.memberId))]);
  return {
    refer: openOf('refer').length === 0 && detail.status !== 'referred',
    liaisonCandidates: candidates,
    liaisons: (await currentLiaisons(db, detail.id)).filter(
      (l) => !openOf('end-liaison').some((p) => p.subjectMemberId === l.id),
    ),
    conflicts: conflicts.map((c) => ({
      id: c.id,
      label: `${names.get(c.memberId) ?? 'A former member'}: ${c.level}${levels.get(c.memberId) !== c.level ? ` (counts as ${levels.get(c.memberId)})` : ''}`,
      soft: c.level === 'soft',
    })),
  };
}

/**
 * The project's decisions page (approvers only): proposals on the project, the form to propose one,
 * and the open proposals on the cases this member reads — never a trace of a case it may not read.
 */
export async function projectDecisionsView(db: Kysely<Database>, member: SignedInMember, now: Date) {
  if (member.role !== 'approver') return null;
  const electorate = await electorateOf(db, null);
  const rows = await listProposals(db, null);
  const project = await proposalViews(db, member, rows, electorate, now);
  const onCases = await openProposalsOnReadableCases(db, member.id);
  const cases: (ProposalView & { reference: string })[] = [];
  for (const reference of [...new Set(onCases.map((p) => p.reference))]) {
    const ofCase = onCases.filter((p) => p.reference === reference);
    const views = await proposalViews(db, member, ofCase, await electorateOf(db, ofCase[0]!.caseId), now);
    cases.push(...views.map((v) => ({ ...v, reference })));
  }
  cases.sort((a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime());
  const openSubjects = new Set(rows.filter((p) => p.status === 'open').map((p) => p.subjectMemberId));
  return {
    open: project.filter((v) => v.open),
    past: project.filter((v) => !v.open),
    eligible: electorate.eligible.size,
    onCases: cases,
    srtCandidates: (await srtMembers(db)).filter((m) => !openSubjects.has(m.id)),
  };
}
