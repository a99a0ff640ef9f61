// Who a closed meeting invites, computed by the governance and never typed (GOVERNANCE "Meetings",
// DESIGN §3.4): every current approver except any with an effective hard conflict on the case, and on
// a security case the Security Response Team too. Nobody can be added by hand.
import type { Kysely, Transaction } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import { activeConflicts } from '../../db/case-conflicts.queries';
import { membersByRole } from '../../db/meetings.queries';
import { conflictLevels } from '../governance/conflict-levels';
import { srtStatus } from '../governance/routing';

type Db = Kysely<Database> | Transaction<Database>;

/** The ids of the members a meeting on this case invites now. */
export async function invitationList(db: Db, caseId: string, kind: CaseKind): Promise<string[]> {
  const members = await membersByRole(db);
  const levels = conflictLevels(await activeConflicts(db, caseId));
  const invited = new Set(members.filter((m) => m.role === 'approver').map((m) => m.id));
  if (kind === 'security') for (const m of srtStatus(members).members) invited.add(m.id);
  return [...invited].filter((id) => levels.get(id) !== 'hard');
}
