import type { ConflictLevel } from '../../db/database';

/**
 * Each member's effective conflict on a case, from its active conflicts (CNCF procedures): any hard
 * one is hard, and several soft ones recorded on the same member count as hard.
 */
export function conflictLevels(
  conflicts: readonly { memberId: string; level: ConflictLevel }[],
): Map<string, ConflictLevel> {
  const soft = new Map<string, number>();
  const levels = new Map<string, ConflictLevel>();
  for (const c of conflicts) {
    if (c.level === 'hard') levels.set(c.memberId, 'hard');
    else soft.set(c.memberId, (soft.get(c.memberId) ?? 0) + 1);
  }
  for (const [memberId, count] of soft) if (!levels.has(memberId)) levels.set(memberId, count >= 2 ? 'hard' : 'soft');
  return levels;
}
