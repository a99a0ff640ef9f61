// Who can read a case after it was routed (DESIGN §2, issue 10 §1): readers are added and removed
// here, and only here; pending grants are the difference between the readers and the packets.
// OWNER: helper "access" (grants). addCaseReader / removeCaseReader are the contract the other
// governance modules (conflicts, liaison, decisions) call.
import type { Kysely, Transaction } from 'kysely';
import type { Database, ReaderVia } from '../../db/database';
import { deleteCaseReader, insertCaseReader } from '../../db/case-access.queries';
import { securityCasesNotRead } from '../../db/readers.queries';
import { listMembersWithKeys } from '../../db/members.queries';
import { STATES } from '../cases/workflow';
import { badInput, conflict, notFound } from '../errors';
import { srtStatus, type RoutableMember } from './routing';
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

type Db = Kysely<Database> | Transaction<Database>;

const CLOSED_SECURITY_STATES = Object.entries(STATES.security)
  .filter(([, state]) => state.terminal)
  .map(([name]) => name);

/**
 * Members who became part of the SRT (srtStatus) between two lists of members, e.g. a member added
 * with role srt, or an approver while the SRT is the approvers themselves: each becomes a reader of
 * every open security case, and a pending grant asks a reader's browser for the earlier messages.
 * Closed cases need a decision (extend-srt-access). Returns how many reader rows were added.
 */
export async function addJoinedSrtToOpenCases(
  trx: Transaction<Database>,
  before: readonly RoutableMember[],
  after: readonly RoutableMember[],
  actor: GovernanceActor,
): Promise<number> {
  const was = new Set(srtStatus(before).members.map((m) => m.id));
  let added = 0;
  for (const joined of srtStatus(after).members.filter((m) => !was.has(m.id)))
    for (const caseId of await securityCasesNotRead(trx, joined.id, { notIn: CLOSED_SECURITY_STATES }))
      if (await addCaseReader(trx, caseId, joined.id, 'srt-joined', actor)) added += 1;
  return added;
}

/** Whether the approvers can extend this member's access to the closed security cases (a member of the SRT). */
export async function checkSrtExtension(db: Db, memberId: string): Promise<void> {
  const members = await listMembersWithKeys(db);
  const member = members.find((m) => m.id === memberId);
  if (!member) throw notFound('That member is not on file any more.');
  if (!srtStatus(members).members.some((m) => m.id === memberId))
    throw badInput(
      `${member.name} is not part of the Security Response Team, so the closed security cases are not theirs to read.`,
    );
  if ((await securityCasesNotRead(db, memberId, { in: CLOSED_SECURITY_STATES })).length === 0)
    throw conflict(`${member.name} already reads every closed security case.`);
}

/** The decision "give M the closed security cases too": M becomes a reader of each; returns how many. */
export async function grantClosedSecurityCases(
  trx: Transaction<Database>,
  memberId: string,
  actor: GovernanceActor,
): Promise<number> {
  await checkSrtExtension(trx, memberId);
  let added = 0;
  for (const caseId of await securityCasesNotRead(trx, memberId, { in: CLOSED_SECURITY_STATES }))
    if (await addCaseReader(trx, caseId, memberId, 'extended', actor)) added += 1;
  return added;
}
