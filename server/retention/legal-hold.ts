// A legal hold stops a case's deletion; placing one is recorded, lifting it is a decision (issue 12
// §3). Any reader but a liaison places one; the hold and a deletion lock the case row, so one comes
// strictly after the other. OWNER: helper "retention".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { holdInForce, insertLegalHold, liftHold, lockCaseForHold } from '../../db/retention.queries';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import { requireReadableCase } from '../cases/case-work';
import { badInput, conflict } from '../errors';
import type { GovernanceActor } from '../governance/governance-actor';
import { refuseLiaison } from '../governance/liaison-limits';

type Db = Kysely<Database> | Transaction<Database>;

export const ALREADY_DELETED = 'This case’s content has already been deleted: there is nothing left to hold.';
const ALREADY_HELD = 'A legal hold is already in force on this case.';
const NOT_HELD = 'No legal hold is in force on this case.';

export async function placeLegalHold(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  now: Date,
): Promise<void> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'place a legal hold');
  await db.transaction().execute(async (trx) => {
    const locked = await lockCaseForHold(trx, found.id);
    if (!locked || locked.contentDeletedAt) throw badInput(ALREADY_DELETED);
    if (locked.holdId) throw badInput(ALREADY_HELD);
    const holdId = await insertLegalHold(trx, found.id, member.id, now);
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'retention.hold-placed',
      details: { holdId },
    });
  });
}

/** A hold can be lifted while one is in force (the content cannot be gone then). */
export async function checkHoldLift(db: Db, caseId: string): Promise<void> {
  if (!(await holdInForce(db, caseId))) throw conflict(NOT_HELD);
}

export async function liftLegalHold(trx: Transaction<Database>, caseId: string, actor: GovernanceActor): Promise<void> {
  const locked = await lockCaseForHold(trx, caseId);
  if (!locked?.holdId) throw conflict(NOT_HELD);
  await liftHold(trx, locked.holdId, caseId, actor.proposalId ?? null);
  await appendAudit(trx, {
    caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'retention.hold-lifted',
    details: { holdId: locked.holdId, ...(actor.proposalId ? { proposalId: actor.proposalId } : {}) },
  });
}
