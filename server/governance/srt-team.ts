// Appointing the Security Response Team by decision (issue 11 §2): "the approvers themselves", or
// a delegated team of at least two contributors. OWNER: helper "srt".
//
// Who may be on a delegated team: any member with a current key who is an approver or has role srt.
// GOVERNANCE asks for "contributors", and approvers are contributors too; a small project can then
// delegate to one approver and one outside contributor. A liaison never: a liaison is appointed to
// one Code of Conduct case and acts only there (liaison-limits.ts).
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { listMembersWithKeys } from '../../db/members.queries';
import {
  deleteSrtHandover,
  dropSrtHandovers,
  insertOperatorSrtMember,
  insertSrtHandover,
  insertSrtReview,
  latestSrtReview,
  listSrtTeam,
  lockSrtHandovers,
  proposalClosedAt,
  replaceSrtTeam,
  securityCasesRead,
  staysReadable,
} from '../../db/srt.queries';
import { caseAssignee } from '../../db/case-conflicts.queries';
import { setCaseAssignee } from '../../db/case-work.queries';
import { appendAudit, BY_OPERATOR } from '../audit/audit-log';
import { badInput } from '../errors';
import { addJoinedSrtToOpenCases, removeCaseReader } from './access';
import type { GovernanceActor } from './governance-actor';
import { MIN_DELEGATED_SRT, srtStatus } from './routing';

type Db = Kysely<Database> | Transaction<Database>;

/** What an appoint-srt decision carries. */
export type SrtTeamPayload = { team: 'approvers' } | { team: 'delegated'; memberIds: string[] };

/** More than any project's team; keeps a payload small. */
export const MAX_SRT_MEMBERS = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The payload as the decision stored it (or the form built it), or a bad-input error in plain words. */
export function parseSrtTeam(payload: unknown): SrtTeamPayload {
  const value = (payload ?? {}) as { team?: unknown; memberIds?: unknown };
  if (value.team === 'approvers') return { team: 'approvers' };
  if (value.team !== 'delegated') throw badInput('Choose "the approvers themselves" or a delegated team.');
  const ids = Array.isArray(value.memberIds) ? value.memberIds : [];
  if (ids.length > MAX_SRT_MEMBERS || !ids.every((id): id is string => typeof id === 'string' && UUID.test(id)))
    throw badInput('Choose the members of the team from the list on this page.');
  return { team: 'delegated', memberIds: [...new Set(ids)].sort() };
}

/** Whether this team can be appointed now (at proposing, and again before it is carried out). */
export async function checkSrtAppointment(db: Db, payload: unknown): Promise<void> {
  const team = parseSrtTeam(payload);
  const current = (await listSrtTeam(db)).map((m) => m.memberId).sort();
  if (team.team === 'approvers') {
    if (current.length === 0) throw badInput('The approvers themselves are the Security Response Team already.');
    return;
  }
  if (team.memberIds.length < MIN_DELEGATED_SRT)
    throw badInput(`A delegated Security Response Team needs at least ${MIN_DELEGATED_SRT} members (GOVERNANCE).`);
  const members = new Map((await listMembersWithKeys(db)).map((m) => [m.id, m]));
  for (const id of team.memberIds) {
    const member = members.get(id);
    if (!member)
      throw badInput('A member chosen for the team is not on file any more. Reload the page and choose again.');
    if (member.role === 'liaison')
      throw badInput(`${member.name} is a liaison, who acts on one Code of Conduct case only, not on the SRT.`);
  }
  if (team.memberIds.join() === current.join()) throw badInput('That is the Security Response Team already.');
}

/**
 * Replaces the team. Joiners read the open security cases (srt-joined; the closed ones by
 * extend-srt-access); leavers lose the security cases at once where a staying reader can read all
 * of it, and otherwise once one can (handover: someone must still re-wrap the case for the joiners).
 * An approver keeps them while the approvers still receive security reports (they are in the SRT).
 */
export async function appointSrt(trx: Transaction<Database>, payload: unknown, actor: GovernanceActor): Promise<void> {
  const team = parseSrtTeam(payload);
  const proposalId = actor.proposalId ?? null;
  const at = (proposalId && (await proposalClosedAt(trx, proposalId))) || new Date();
  const before = await listMembersWithKeys(trx);
  await replaceSrtTeam(trx, team.team === 'approvers' ? [] : team.memberIds, proposalId, at);
  const after = await listMembersWithKeys(trx);
  const stays = new Set(srtStatus(after).members.map((m) => m.id));
  // Everyone else who reads security cases leaves them, approvers who read them while an earlier
  // delegated team was below two included.
  const leaving = new Map<string, string[]>();
  for (const m of before.filter((b) => !stays.has(b.id))) {
    const cases = (await securityCasesRead(trx, m.id)).map((c) => c.caseId);
    if (cases.length > 0) leaving.set(m.id, cases);
  }
  const leavers = [...leaving.keys()];
  await dropSrtHandovers(trx, [...stays]);
  const joined = await addJoinedSrtToOpenCases(trx, before, after, actor);
  let handedOver = 0;
  for (const [memberId, cases] of leaving)
    for (const caseId of cases) {
      if (await staysReadable(trx, caseId, leavers)) await leaveCase(trx, caseId, memberId, actor);
      else {
        await insertSrtHandover(trx, caseId, memberId, at, proposalId);
        handedOver += 1;
      }
    }
  await insertSrtReview(trx, 'appointed', at, proposalId);
  await appendAudit(trx, {
    caseId: null,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'srt.appointed',
    details: {
      team: team.team,
      memberIds: team.team === 'delegated' ? team.memberIds : [],
      joined,
      left: leavers.length,
      handedOver,
      ...(proposalId ? { proposalId } : {}),
    },
  });
}

/** Out of one security case, as the SRT leaver: reader row, packets, the assignment. */
async function leaveCase(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  actor: GovernanceActor,
): Promise<void> {
  await removeCaseReader(trx, caseId, memberId, 'left-srt', actor);
  if ((await caseAssignee(trx, caseId)) !== memberId) return;
  await setCaseAssignee(trx, caseId, null);
  await appendAudit(trx, {
    caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'case.assigned',
    details: { assigneeId: null },
  });
}

/**
 * Ends the handovers whose case a staying reader can now read in full (after a joiner's grant was
 * fulfilled). Rows are locked with SKIP LOCKED: several instances each take their own. Returns how many ended.
 */
export async function completeSrtHandovers(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let ended = 0;
    for (const h of await lockSrtHandovers(trx, 200)) {
      if (!(await staysReadable(trx, h.caseId, [h.memberId]))) continue;
      await deleteSrtHandover(trx, h.caseId, h.memberId);
      await leaveCase(trx, h.caseId, h.memberId, {
        actorMemberId: null,
        actorLabel: 'system',
        proposalId: h.proposalId,
      });
      ended += 1;
    }
    return ended;
  });
}

/**
 * `intake member add --role srt`: setting up a new installation, the operator puts the member on
 * the team (audited as the operator's). Once the approvers have appointed or reviewed the team by
 * decision, it is theirs: the account is added, and the team is changed on /dashboard/srt.
 */
export async function appointByOperator(trx: Transaction<Database>, memberId: string): Promise<boolean> {
  if (await latestSrtReview(trx)) return false;
  if (!(await insertOperatorSrtMember(trx, memberId))) return false;
  await appendAudit(trx, { ...BY_OPERATOR, action: 'srt.appointed-by-operator', details: { memberId } });
  return true;
}

/** Who is on the SRT now (the approvers themselves, or the delegated team), by name. */
export async function srtMembers(db: Db): Promise<{ id: string; name: string }[]> {
  return srtStatus(await listMembersWithKeys(db))
    .members.map((m) => ({ id: m.id, name: m.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function srtAppointmentTitle(payload: unknown): string {
  try {
    const team = parseSrtTeam(payload);
    if (team.team === 'approvers') return 'Appoint the approvers themselves as the Security Response Team';
    return `Appoint a delegated Security Response Team of ${team.memberIds.length} members`;
  } catch {
    return 'Appoint the Security Response Team';
  }
}
