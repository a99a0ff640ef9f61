// Who can read a case after it was routed (DESIGN §2, issue 10 §1): readers are added and removed
// here, and only here; pending grants are the difference between the readers and the packets.
// OWNER: helper "access" (grants). addCaseReader / removeCaseReader are the contract the other
// governance modules (conflicts, liaison, decisions) call.
import type { Transaction } from 'kysely';
import type { Database, ReaderVia } from '../../db/database';
import { deleteCaseReader, insertCaseReader } from '../../db/case-access.queries';
import { appendAudit } from '../audit/audit-log';
import type { GovernanceActor } from './governance-actor';

/**
 * Makes the member a reader of the case: from now on new messages are encrypted to them, and a
 * pending grant asks a current reader's browser to re-wrap the earlier ones. Audited; no-op (false)
 * when they already read it.
 */
export async function addCaseReader(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  via: ReaderVia,
  actor: GovernanceActor,
): Promise<boolean> {
  const added = await insertCaseReader(trx, caseId, memberId, via);
  if (added)
    await appendAudit(trx, {
      caseId,
      actorMemberId: actor.actorMemberId,
      actorLabel: actor.actorLabel,
      action: 'access.reader-added',
      details: { memberId, via, ...(actor.proposalId ? { proposalId: actor.proposalId } : {}) },
    });
  return added;
}

export type RevokeReason = 'hard-conflict' | 'liaison-ended' | 'left-srt';

/**
 * Takes the member's access away at once: their packets for the case's messages and their reader
 * row. Copies they already downloaded cannot be recalled (the UI says so). Audited; no-op (false)
 * when they were not a reader.
 */
export async function removeCaseReader(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  reason: RevokeReason,
  actor: GovernanceActor,
): Promise<boolean> {
  const wasReader = await trx
    .selectFrom('case_readers')
    .select('member_id')
    .where('case_id', '=', caseId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  if (!wasReader) return false;
  const packets = await deleteCaseReader(trx, caseId, memberId);
  await appendAudit(trx, {
    caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'access.revoked',
    details: { memberId, reason, packets, ...(actor.proposalId ? { proposalId: actor.proposalId } : {}) },
  });
  return true;
}

type Db = import('kysely').Kysely<Database> | Transaction<Database>;

/** Whether the approvers can extend this member's access to the closed security cases (a member of the SRT). */
export async function checkSrtExtension(_db: Db, _memberId: string): Promise<void> {
  throw new Error('not built yet: checkSrtExtension (helper "access")');
}

/** The decision "give M the closed security cases too": M becomes a reader of each; returns how many. */
export async function grantClosedSecurityCases(
  _trx: Transaction<Database>,
  _memberId: string,
  _actor: GovernanceActor,
): Promise<number> {
  throw new Error('not built yet: grantClosedSecurityCases (helper "access")');
}
