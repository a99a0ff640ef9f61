// Conflicts of interest on a Code of Conduct case (issue 10 §2). OWNER: helper "conflicts".
// Recording one is immediate; lifting or downgrading one needs a passed decision. An effective hard
// conflict (any hard one, or two soft ones) takes the member's access away in the same transaction:
// reader row and packets, a liaison's appointment, and with the reader row every notification still
// queued for them about the case (the sender checks the readers again before it sends).
import type { Kysely, Transaction } from 'kysely';
import type { ConflictGround, ConflictLevel, Database } from '../../db/database';
import {
  activeConflicts,
  approverIds,
  caseAssignee,
  findConflict,
  insertConflict,
  lockConflict,
  markConflictLifted,
  setConflictSoft,
} from '../../db/case-conflicts.queries';
import { memberRole } from '../../db/liaison.queries';
import { setCaseAssignee } from '../../db/case-work.queries';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import { requireReadableCase } from '../cases/case-work';
import { badInput } from '../errors';
import { badField } from '../field-errors';
import { addCaseReader, removeCaseReader } from './access';
import { conflictLevels } from './conflict-levels';
import { proposeBySystem } from './decisions';
import { settleCaseProposals } from './decision-settle';
import type { CaseEvents } from '../cases/case-events';
import type { GovernanceActor } from './governance-actor';
import { endLiaison, isCurrentLiaison } from './liaison';
import { removeFromCaseMeetings } from '../meetings/meeting-invitees';

type Db = Kysely<Database> | Transaction<Database>;

/** The grounds a member can record or declare, and the level each one means (CNCF CoC procedures). */
export const GROUND_LEVELS: ReadonlyMap<Exclude<ConflictGround, 'involved'>, ConflictLevel> = new Map([
  ['accused-or-target', 'hard'],
  ['close-relationship', 'hard'],
  ['same-employer', 'soft'],
  ['appearance', 'soft'],
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The decisions clock (tests move it) and who hears of proposals it settles or makes. */
export interface ConflictContext {
  now?: Date;
  events?: Pick<CaseEvents, 'decisionChanged'>;
}

export interface RecordedConflict {
  conflictId: string;
  /** The member's effective level on the case now. */
  effective: ConflictLevel;
  /** The recorder named themself with an effective hard conflict: they no longer read the case. */
  selfExcluded: boolean;
}

/**
 * Records a conflict on a member of a CoC case: by a reader who is an approver or SRT member about
 * another member, or by any reader about themself (a declaration). Takes effect at once.
 */
export async function recordConflict(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  input: { memberId: string; ground: string },
  ctx: ConflictContext = {},
): Promise<RecordedConflict> {
  const found = await requireReadableCase(db, member, reference);
  if (found.kind !== 'coc') throw badInput('Conflicts of interest are recorded on Code of Conduct cases only.');
  const declared = input.memberId === member.id;
  if (!declared && member.role === 'liaison')
    throw badField('memberId', 'A liaison can declare a conflict of its own, not record one on another member.');
  if (!UUID.test(input.memberId) || !(await memberRole(db, input.memberId)))
    throw badField('memberId', 'Choose a member of the project from the list.');
  const level = GROUND_LEVELS.get(input.ground as Exclude<ConflictGround, 'involved'>);
  if (!level) throw badField('ground', 'Choose the ground of the conflict from the list.');
  const ground = input.ground as ConflictGround;
  const actor: GovernanceActor = { actorMemberId: member.id };
  const recorded = await db.transaction().execute(async (trx) => {
    const existing = await activeConflicts(trx, found.id);
    if (existing.some((c) => c.memberId === input.memberId && c.ground === ground))
      throw badField('ground', 'This conflict is recorded already on this member.');
    const conflictId = await insertConflict(trx, {
      caseId: found.id,
      memberId: input.memberId,
      level,
      ground,
      recordedByMemberId: member.id,
    });
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: declared ? 'conflict.declared' : 'conflict.recorded',
      details: { conflictId, memberId: input.memberId, level, ground },
    });
    const effective = await applyEffectiveLevel(trx, found.id, input.memberId, actor);
    return { conflictId, effective, selfExcluded: declared && effective === 'hard' };
  });
  // The electorate of the case's open proposals changed: a vote may be decided now, a conflicted ballot no longer counts.
  for (const settled of await settleCaseProposals(db, found.id, ctx.now ?? new Date()))
    await ctx.events?.decisionChanged(settled.id, 'closed');
  if (recorded.effective === 'hard') await proposeReferralIfMajority(db, found.id, ctx.events);
  return recorded;
}

/**
 * The member's effective level after a change; hard: out of the case at once (reader row and
 * packets, an appointment as liaison, the assignment).
 */
async function applyEffectiveLevel(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  actor: GovernanceActor,
): Promise<ConflictLevel> {
  const effective = conflictLevels(await activeConflicts(trx, caseId)).get(memberId) ?? 'soft';
  if (effective !== 'hard') return effective;
  await removeCaseReader(trx, caseId, memberId, 'hard-conflict', actor);
  await removeFromCaseMeetings(trx, caseId, memberId, actor);
  if (await isCurrentLiaison(trx, caseId, memberId)) await endLiaison(trx, caseId, memberId, 'conflict', actor);
  if ((await caseAssignee(trx, caseId)) === memberId) {
    await setCaseAssignee(trx, caseId, null);
    await appendAudit(trx, {
      caseId,
      actorMemberId: actor.actorMemberId,
      actorLabel: actor.actorLabel,
      action: 'case.assigned',
      details: { assigneeId: null },
    });
  }
  return effective;
}

/** More than half of all current approvers have an effective hard conflict on the case (the CNCF procedures then require referral). */
export async function majorityHardConflicted(db: Db, caseId: string): Promise<boolean> {
  const approvers = await approverIds(db);
  const levels = conflictLevels(await activeConflicts(db, caseId));
  const hard = approvers.filter((id) => levels.get(id) === 'hard').length;
  return approvers.length > 0 && hard * 2 > approvers.length;
}

/**
 * After a hard conflict (recorded, or named by the reporter at submission): when a majority of the
 * approvers are hard-conflicted the system proposes the referral. Runs after the change committed
 * and never fails it: the case page says what the procedures require whether or not this succeeded.
 */
export async function proposeReferralIfMajority(
  db: Kysely<Database>,
  caseId: string,
  events?: Partial<Pick<CaseEvents, 'decisionChanged'>>,
): Promise<string | null> {
  let proposalId: string | null;
  try {
    if (!(await majorityHardConflicted(db, caseId))) return null;
    proposalId = await db.transaction().execute((trx) => proposeBySystem(trx, caseId, 'refer'));
  } catch {
    return null;
  }
  if (proposalId) await events?.decisionChanged?.(proposalId, 'proposed');
  return proposalId;
}

/** Whether the active conflict can be lifted ('none') or downgraded to soft. */
export async function checkConflictChange(db: Db, conflictId: string, to: 'none' | 'soft'): Promise<void> {
  const found = UUID.test(conflictId) ? await findConflict(db, conflictId) : undefined;
  if (!found || found.caseKind !== 'coc') throw badInput('There is no such conflict of interest.');
  if (found.liftedAt) throw badInput('This conflict of interest was lifted already.');
  if (to === 'soft' && found.level !== 'hard') throw badInput('This conflict of interest is soft already.');
}

/** The passed decision to lift a conflict: a member no longer hard-conflicted reads the case again (a pending grant). */
export async function liftConflict(
  trx: Transaction<Database>,
  conflictId: string,
  actor: GovernanceActor,
): Promise<void> {
  await checkConflictChange(trx, conflictId, 'none');
  const c = (await lockConflict(trx, conflictId))!;
  await markConflictLifted(trx, conflictId, actor.proposalId ?? null);
  await appendAudit(trx, {
    caseId: c.caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'conflict.lifted',
    details: { conflictId, memberId: c.memberId, ...(actor.proposalId ? { proposalId: actor.proposalId } : {}) },
  });
  await readAgainIfNoLongerHard(trx, c.caseId, c.memberId, actor);
}

/** The passed decision to downgrade a hard conflict to soft: the member reads again, and still does not vote. */
export async function downgradeConflict(
  trx: Transaction<Database>,
  conflictId: string,
  actor: GovernanceActor,
): Promise<void> {
  await checkConflictChange(trx, conflictId, 'soft');
  const c = (await lockConflict(trx, conflictId))!;
  await setConflictSoft(trx, conflictId);
  await appendAudit(trx, {
    caseId: c.caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'conflict.downgraded',
    details: { conflictId, memberId: c.memberId, ...(actor.proposalId ? { proposalId: actor.proposalId } : {}) },
  });
  await readAgainIfNoLongerHard(trx, c.caseId, c.memberId, actor);
}

/** An approver no longer hard-conflicted on a CoC case reads it again (a liaison needs a new appointment). */
async function readAgainIfNoLongerHard(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  actor: GovernanceActor,
): Promise<void> {
  if (conflictLevels(await activeConflicts(trx, caseId)).get(memberId) === 'hard') return;
  if ((await memberRole(trx, memberId)) === 'approver')
    await addCaseReader(trx, caseId, memberId, 'conflict-lifted', actor);
}
