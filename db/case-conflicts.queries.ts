import type { Kysely, Transaction } from 'kysely';
import type { ConflictGround, ConflictLevel, Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

export interface ConflictRow {
  id: string;
  caseId: string;
  memberId: string;
  level: ConflictLevel;
  ground: ConflictGround;
  /** null: the reporter, at submission. */
  recordedByMemberId: string | null;
  createdAt: Date;
}

/** The conflicts recorded on a case and not lifted. */
export async function activeConflicts(db: Db, caseId: string): Promise<ConflictRow[]> {
  const rows = await db
    .selectFrom('case_conflicts')
    .select(['id', 'case_id', 'member_id', 'level', 'ground', 'recorded_by_member_id', 'created_at'])
    .where('case_id', '=', caseId)
    .where('lifted_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    memberId: r.member_id,
    level: r.level,
    ground: r.ground,
    recordedByMemberId: r.recorded_by_member_id,
    createdAt: r.created_at,
  }));
}
