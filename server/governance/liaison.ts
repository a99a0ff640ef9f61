// The liaison a passed decision appoints to work a CoC case with the CNCF committee (issue 10 §5).
// OWNER: helper "conflicts". A liaison reads the cases it was appointed to and nothing else; it
// comments, records the committee's decision, and changes nothing of the workflow.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { activeConflicts } from '../../db/case-conflicts.queries';
import {
  caseKindAndStatus,
  currentAppointment,
  currentLiaisons,
  endAppointment,
  insertAppointment,
  memberRole,
} from '../../db/liaison.queries';
import { appendAudit } from '../audit/audit-log';
import { badInput, conflict, notFound } from '../errors';
import { reopenTarget } from '../cases/workflow';
import { addCaseReader, removeCaseReader } from './access';
import type { GovernanceActor } from './governance-actor';
import type { CaseEvents } from '../cases/case-events';

type Db = Kysely<Database> | Transaction<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A member with role liaison, with no conflict on the case, not named in it, not appointed already. */
export async function checkLiaisonAppointment(db: Db, caseId: string, memberId: string): Promise<void> {
  const found = UUID.test(caseId) ? await caseKindAndStatus(db, caseId) : undefined;
  if (!found) throw notFound('There is no case with this reference.');
  if (found.kind !== 'coc') throw badInput('A liaison works on Code of Conduct cases only.');
  if (reopenTarget(found.kind, found.status))
    throw badInput('This case is closed: reopen it before appointing a liaison.');
  const role = UUID.test(memberId) ? await memberRole(db, memberId) : undefined;
  if (!role) throw badInput('That member is not on file any more.');
  if (role !== 'liaison')
    throw badInput('Only a member with the role "liaison" can be appointed (a non-involved contributor).');
  if ((await activeConflicts(db, caseId)).some((c) => c.memberId === memberId))
    throw badInput('This member has a conflict of interest on this case, so cannot be its liaison.');
  if ((await currentLiaisons(db, caseId)).some((l) => l.memberId === memberId))
    throw conflict('This member is already the liaison on this case.');
}

/** The passed decision: the liaison's appointment, and access to this case alone (a pending grant for the earlier messages). */
export async function appointLiaison(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  actor: GovernanceActor,
): Promise<void> {
  await checkLiaisonAppointment(trx, caseId, memberId);
  const appointmentId = await insertAppointment(trx, caseId, memberId, actor.proposalId ?? null);
  await addCaseReader(trx, caseId, memberId, 'liaison', actor);
  await appendAudit(trx, {
    caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'liaison.appointed',
    details: { memberId, appointmentId, ...(actor.proposalId ? { proposalId: actor.proposalId } : {}) },
  });
}

export async function checkLiaisonEnd(db: Db, caseId: string, memberId: string): Promise<void> {
  if (
    !UUID.test(caseId) ||
    !UUID.test(memberId) ||
    !(await currentLiaisons(db, caseId)).some((l) => l.memberId === memberId)
  )
    throw badInput('This member is not the liaison on this case (any more).');
}

export type LiaisonEndCause = 'decision' | 'committee-closed' | 'case-closed' | 'conflict';

/** Ends the appointment and revokes the liaison's access to the case at once. */
export async function endLiaison(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  because: LiaisonEndCause,
  actor: GovernanceActor,
): Promise<void> {
  const appointment = await currentAppointment(trx, caseId, memberId);
  if (!appointment) throw badInput('This member is not the liaison on this case (any more).');
  await endAppointment(trx, appointment.id, because, because === 'decision' ? (actor.proposalId ?? null) : null);
  await removeCaseReader(trx, caseId, memberId, 'liaison-ended', actor);
  await appendAudit(trx, {
    caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'liaison.ended',
    details: {
      memberId,
      appointmentId: appointment.id,
      because,
      ...(actor.proposalId ? { proposalId: actor.proposalId } : {}),
    },
  });
}

/** A closing move: every current appointment on the case ends with it (inside the move's transaction). */
export async function endLiaisonsOnClose(
  trx: Transaction<Database>,
  caseId: string,
  actor: GovernanceActor,
): Promise<number> {
  const liaisons = await currentLiaisons(trx, caseId);
  for (const l of liaisons) await endLiaison(trx, caseId, l.memberId, 'case-closed', actor);
  return liaisons.length;
}

/** After the appointment committed: the liaison is told by mail (CaseEvents never throw). */
export async function notifyLiaisonAppointed(events: CaseEvents, caseId: string, memberId: string): Promise<void> {
  await events.liaisonAppointed(caseId, memberId);
}

/** Whether the member is appointed liaison to the case now. */
export async function isCurrentLiaison(db: Db, caseId: string, memberId: string): Promise<boolean> {
  return (await currentLiaisons(db, caseId)).some((l) => l.memberId === memberId);
}
