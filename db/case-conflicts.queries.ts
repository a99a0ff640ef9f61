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

export interface NewConflict {
  caseId: string;
  memberId: string;
  level: ConflictLevel;
  ground: ConflictGround;
  recordedByMemberId: string | null;
}

export async function insertConflict(db: Db, conflict: NewConflict): Promise<string> {
  const row = await db
    .insertInto('case_conflicts')
    .values({
      case_id: conflict.caseId,
      member_id: conflict.memberId,
      level: conflict.level,
      ground: conflict.ground,
      recorded_by_member_id: conflict.recordedByMemberId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One conflict, locked for the change a decision makes to it (FOR UPDATE inside a transaction). */
export async function lockConflict(db: Db, conflictId: string) {
  return findConflictRow(db, conflictId, true);
}

export async function findConflict(db: Db, conflictId: string) {
  return findConflictRow(db, conflictId, false);
}

async function findConflictRow(db: Db, conflictId: string, lock: boolean) {
  let query = db
    .selectFrom('case_conflicts as cc')
    .innerJoin('cases as c', 'c.id', 'cc.case_id')
    .select(['cc.id', 'cc.case_id', 'cc.member_id', 'cc.level', 'cc.ground', 'cc.lifted_at', 'c.kind'])
    .where('cc.id', '=', conflictId);
  if (lock) query = query.forUpdate();
  const r = await query.executeTakeFirst();
  return (
    r && {
      id: r.id,
      caseId: r.case_id,
      memberId: r.member_id,
      level: r.level,
      ground: r.ground,
      liftedAt: r.lifted_at,
      caseKind: r.kind,
    }
  );
}

export async function markConflictLifted(db: Db, conflictId: string, proposalId: string | null): Promise<void> {
  await db
    .updateTable('case_conflicts')
    .set({ lifted_at: new Date(), lifted_by_proposal_id: proposalId })
    .where('id', '=', conflictId)
    .execute();
}

export async function setConflictSoft(db: Db, conflictId: string): Promise<void> {
  await db.updateTable('case_conflicts').set({ level: 'soft' }).where('id', '=', conflictId).execute();
}

/** The ids of the current approvers (the governance's "all approvers"). */
export async function approverIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('members').select('id').where('role', '=', 'approver').execute();
  return rows.map((r) => r.id);
}

/** The members a conflict may be recorded on, for the case page's form: everyone on file. */
export async function projectMembers(db: Db): Promise<{ id: string; name: string; role: string }[]> {
  return db.selectFrom('members').select(['id', 'name', 'role']).orderBy('name').execute();
}

export async function caseAssignee(db: Db, caseId: string): Promise<string | null> {
  const row = await db.selectFrom('cases').select('assignee_id').where('id', '=', caseId).executeTakeFirst();
  return row?.assignee_id ?? null;
}

/** Whether a referral of the case is proposed (open) or decided (passed). */
export async function referralProposed(db: Db, caseId: string): Promise<boolean> {
  const row = await db
    .selectFrom('proposals')
    .select('id')
    .where('case_id', '=', caseId)
    .where('kind', '=', 'refer')
    .where('status', 'in', ['open', 'passed'])
    .executeTakeFirst();
  return row !== undefined;
}
