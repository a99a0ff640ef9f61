// The case page's "conflicts" part. OWNER: helper "conflicts". Shown on Code of Conduct cases to
// their readers: the active conflicts, the forms to record or declare one, what a liaison can do,
// and the banner when a majority of the approvers is hard-conflicted.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { activeConflicts, projectMembers, referralProposed } from '../../db/case-conflicts.queries';
import { GROUND_WORDS } from '../audit/audit-sentences';
import type { SignedInMember } from '../auth/signed-in-member';
import { conflictLevels } from './conflict-levels';
import { GROUND_LEVELS, majorityHardConflicted } from './conflicts';
import { LIAISON_CAN } from './liaison-limits';

export async function conflictsView(db: Kysely<Database>, member: SignedInMember, detail: CaseDetail, _now: Date) {
  if (detail.kind !== 'coc') return null;
  const [conflicts, members, majority, referral] = await Promise.all([
    activeConflicts(db, detail.id),
    projectMembers(db),
    majorityHardConflicted(db, detail.id),
    referralProposed(db, detail.id),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const levels = conflictLevels(conflicts);
  const liaison = member.role === 'liaison';
  return {
    majority,
    /** The referral the majority condition calls for is proposed or decided already. */
    referral,
    liaison,
    liaisonCan: liaison ? LIAISON_CAN : null,
    /** A liaison declares its own conflicts only; approvers and SRT members record them on others too. */
    canRecord: !liaison,
    conflicts: conflicts.map((c) => ({
      id: c.id,
      memberId: c.memberId,
      memberName: names.get(c.memberId) ?? 'A former member',
      level: c.level,
      effective: levels.get(c.memberId) ?? c.level,
      ground: GROUND_WORDS[c.ground] ?? c.ground,
      recordedBy:
        c.recordedByMemberId === null
          ? 'named by the reporter'
          : c.recordedByMemberId === c.memberId
            ? 'declared by themself'
            : `recorded by ${names.get(c.recordedByMemberId) ?? 'a former member'}`,
      since: c.createdAt,
    })),
    members: members.filter((m) => m.id !== member.id),
    grounds: [...GROUND_LEVELS].map(([value, level]) => ({ value, level, words: GROUND_WORDS[value] ?? value })),
  };
}
