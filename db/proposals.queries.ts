import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { BallotChoice, Database, ProposalKind, ProposalStatus, ProposalsTable } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** A proposal as the decisions module reads it: ids, kinds, times and the computed outcome, never text anyone typed. */
export interface ProposalRow {
  id: string;
  caseId: string | null;
  kind: ProposalKind;
  subjectMemberId: string | null;
  subjectConflictId: string | null;
  proposedByMemberId: string | null;
  bySystem: boolean;
  threshold: 'majority' | 'two-thirds';
  createdAt: Date;
  deadlineAt: Date;
  voteCalledAt: Date | null;
  voteCalledByMemberId: string | null;
  voteCalledAs: 'objection' | 'demand' | null;
  status: ProposalStatus;
  closedAt: Date | null;
  outcome: Record<string, unknown> | null;
  /** What it is about beyond a member or a conflict (a setting's key). */
  subjectKey: string | null;
  /** What it would do (a setting's new value, the SRT's team, a CoC remedy); never case content. */
  payload: unknown;
}

export interface BallotRow {
  memberId: string;
  choice: BallotChoice;
  castAt: Date;
}

const COLUMNS = [
  'id',
  'case_id',
  'kind',
  'subject_member_id',
  'subject_conflict_id',
  'proposed_by_member_id',
  'by_system',
  'threshold',
  'created_at',
  'deadline_at',
  'vote_called_at',
  'vote_called_by_member_id',
  'vote_called_as',
  'status',
  'closed_at',
  'outcome',
  'subject_key',
  'payload',
] as const;

function toRow(r: Selectable<ProposalsTable>): ProposalRow {
  return {
    id: r.id,
    caseId: r.case_id,
    kind: r.kind,
    subjectMemberId: r.subject_member_id,
    subjectConflictId: r.subject_conflict_id,
    proposedByMemberId: r.proposed_by_member_id,
    bySystem: r.by_system,
    threshold: r.threshold,
    createdAt: r.created_at,
    deadlineAt: r.deadline_at,
    voteCalledAt: r.vote_called_at,
    voteCalledByMemberId: r.vote_called_by_member_id,
    voteCalledAs: r.vote_called_as,
    status: r.status,
    closedAt: r.closed_at,
    outcome: r.outcome,
    subjectKey: r.subject_key,
    payload: r.payload ?? null,
  };
}

/**
 * Records a new open proposal; null when the same one (case, kind, subject) is open already — the
 * unique index decides, so two members proposing at once make one proposal.
 */
export async function insertProposal(
  db: Db,
  p: {
    caseId: string | null;
    kind: ProposalKind;
    subjectMemberId: string | null;
    subjectConflictId: string | null;
    proposedByMemberId: string | null;
    bySystem: boolean;
    deadlineAt: Date;
    subjectKey?: string | null;
    payload?: unknown;
    threshold?: 'majority' | 'two-thirds';
    /** Set for a proposal that is a vote from the start (a two-thirds one: lazy consensus cannot pass it). */
    voteCalledAt?: Date | null;
  },
): Promise<string | null> {
  // No conflict target: any unique violation (the one-open index) means "made already", and a
  // statement that does nothing leaves the caller's transaction usable.
  const row = await db
    .insertInto('proposals')
    .values({
      case_id: p.caseId,
      kind: p.kind,
      subject_member_id: p.subjectMemberId,
      subject_conflict_id: p.subjectConflictId,
      proposed_by_member_id: p.proposedByMemberId,
      by_system: p.bySystem,
      deadline_at: p.deadlineAt,
      subject_key: p.subjectKey ?? null,
      payload: p.payload === undefined || p.payload === null ? null : JSON.stringify(p.payload),
      threshold: p.threshold ?? 'majority',
      vote_called_at: p.voteCalledAt ?? null,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function findProposal(db: Db, id: string): Promise<ProposalRow | undefined> {
  const r = await db.selectFrom('proposals').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? toRow(r) : undefined;
}

/** The proposal, locked until the transaction ends: ballots, objections and settling it queue behind each other. */
export async function lockProposal(trx: Transaction<Database>, id: string): Promise<ProposalRow | undefined> {
  const r = await trx.selectFrom('proposals').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
  return r ? toRow(r) : undefined;
}

/**
 * The proposal if it is still open and no other transaction holds it (another instance settling
 * it, a ballot being cast, which settles it itself); locked until the transaction ends.
 */
export async function lockOpenProposalIfFree(trx: Transaction<Database>, id: string): Promise<ProposalRow | undefined> {
  const r = await trx
    .selectFrom('proposals')
    .select(COLUMNS)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return r ? toRow(r) : undefined;
}

/**
 * The open proposals (of one case, or all), locked. `skipLocked`: leave out those another
 * transaction holds (a second instance settling, a ballot being cast), which settles them itself.
 */
export async function lockOpenProposals(
  trx: Transaction<Database>,
  options: { caseId?: string; skipLocked: boolean },
): Promise<ProposalRow[]> {
  let q = trx.selectFrom('proposals').select(COLUMNS).where('status', '=', 'open');
  if (options.caseId !== undefined) q = q.where('case_id', '=', options.caseId);
  q = q.orderBy('created_at').forUpdate();
  if (options.skipLocked) q = q.skipLocked();
  return (await q.execute()).map(toRow);
}

/** Ids of the open proposals, oldest first (the background task settles each in its own transaction). */
export async function openProposalIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('proposals')
    .select('id')
    .where('status', '=', 'open')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.id);
}

/** A case's proposals (caseId) or the project's (null), newest first. */
export async function listProposals(db: Db, caseId: string | null): Promise<ProposalRow[]> {
  const rows = await db
    .selectFrom('proposals')
    .select(COLUMNS)
    .$call((q) => (caseId === null ? q.where('case_id', 'is', null) : q.where('case_id', '=', caseId)))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toRow);
}

/** Whether a proposal of this kind on the case is open or has passed (the system proposes a referral once). */
export async function hasOpenOrPassedProposal(db: Db, caseId: string, kind: ProposalKind): Promise<boolean> {
  const row = await db
    .selectFrom('proposals')
    .select('id')
    .where('case_id', '=', caseId)
    .where('kind', '=', kind)
    .where('status', 'in', ['open', 'passed'])
    .executeTakeFirst();
  return row !== undefined;
}

export async function listBallots(db: Db, proposalIds: readonly string[]): Promise<Map<string, BallotRow[]>> {
  const byProposal = new Map<string, BallotRow[]>();
  if (proposalIds.length === 0) return byProposal;
  const rows = await db
    .selectFrom('ballots')
    .select(['proposal_id', 'member_id', 'choice', 'cast_at'])
    .where('proposal_id', 'in', proposalIds)
    .orderBy('cast_at')
    .execute();
  for (const r of rows) {
    const list = byProposal.get(r.proposal_id) ?? [];
    list.push({ memberId: r.member_id, choice: r.choice, castAt: r.cast_at });
    byProposal.set(r.proposal_id, list);
  }
  return byProposal;
}

/** Casts or changes the member's ballot. */
export async function upsertBallot(
  trx: Transaction<Database>,
  proposalId: string,
  memberId: string,
  choice: BallotChoice,
  castAt: Date,
): Promise<void> {
  await trx
    .insertInto('ballots')
    .values({ proposal_id: proposalId, member_id: memberId, choice, cast_at: castAt })
    .onConflict((oc) => oc.columns(['proposal_id', 'member_id']).doUpdateSet({ choice, cast_at: castAt }))
    .execute();
}

/** Turns the lazy-consensus proposal into a vote, with its new deadline. */
export async function markVoteCalled(
  trx: Transaction<Database>,
  id: string,
  v: { at: Date; memberId: string; as: 'objection' | 'demand'; deadlineAt: Date },
): Promise<void> {
  await trx
    .updateTable('proposals')
    .set({
      vote_called_at: v.at,
      vote_called_by_member_id: v.memberId,
      vote_called_as: v.as,
      deadline_at: v.deadlineAt,
    })
    .where('id', '=', id)
    .execute();
}

/** Closes the proposal with its computed outcome. */
export async function closeProposal(
  trx: Transaction<Database>,
  id: string,
  status: Exclude<ProposalStatus, 'open'>,
  closedAt: Date,
  outcome: Record<string, unknown>,
): Promise<void> {
  await trx
    .updateTable('proposals')
    .set({ status, closed_at: closedAt, outcome: JSON.stringify(outcome) })
    .where('id', '=', id)
    .execute();
}

/**
 * Runs `work` inside a savepoint of the transaction: if it throws, only its own writes are undone
 * and the error is handed back (a decision whose effect fails lapses instead of staying open).
 */
export async function withSavepoint<T>(
  trx: Transaction<Database>,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await sql`SAVEPOINT decision_effect`.execute(trx);
  try {
    const value = await work();
    await sql`RELEASE SAVEPOINT decision_effect`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT decision_effect`.execute(trx);
    return { ok: false, error };
  }
}

/**
 * The open proposals on cases this member reads (a case it may not read contributes nothing: no
 * row, no count), with each case's reference, oldest deadline first.
 */
export async function openProposalsOnReadableCases(
  db: Db,
  memberId: string,
): Promise<(ProposalRow & { reference: string })[]> {
  const rows = await db
    .selectFrom('proposals')
    .innerJoin('case_readers', (join) =>
      join.onRef('case_readers.case_id', '=', 'proposals.case_id').on('case_readers.member_id', '=', memberId),
    )
    .innerJoin('cases', 'cases.id', 'proposals.case_id')
    .select(COLUMNS.map((c) => `proposals.${c}` as const))
    .select('cases.reference')
    .where('proposals.status', '=', 'open')
    .orderBy('proposals.deadline_at')
    .execute();
  return rows.map((r) => ({ ...toRow(r), reference: r.reference }));
}

/** Ids of the open proposals on the project and on the cases this member reads (nothing of any other case). */
export async function visibleOpenProposalIds(db: Db, memberId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('proposals')
    .leftJoin('case_readers', (join) =>
      join.onRef('case_readers.case_id', '=', 'proposals.case_id').on('case_readers.member_id', '=', memberId),
    )
    .select('proposals.id')
    .where('proposals.status', '=', 'open')
    .where((eb) => eb.or([eb('proposals.case_id', 'is', null), eb('case_readers.member_id', 'is not', null)]))
    .orderBy('proposals.created_at')
    .execute();
  return rows.map((r) => r.id);
}
