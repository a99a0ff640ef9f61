// Who takes part in decisions, and the names their pages and mail show: approvers, a case's
// approver readers, liaisons and SRT members, the member a conflict is recorded on.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Ids of every current approver. */
export async function approverIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('members').select('id').where('role', '=', 'approver').orderBy('id').execute();
  return rows.map((r) => r.id);
}

/** Ids of the approvers who read the case now (conflicts are taken out by the caller). */
export async function approverReaderIds(db: Db, caseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('case_readers')
    .innerJoin('members', 'members.id', 'case_readers.member_id')
    .select('members.id')
    .where('case_readers.case_id', '=', caseId)
    .where('members.role', '=', 'approver')
    .orderBy('members.id')
    .execute();
  return rows.map((r) => r.id);
}

/** The readers of a security case who are on the Security Response Team's record. */
export async function srtReaderIdsOfSecurityCase(db: Db, caseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('case_readers')
    .innerJoin('cases', 'cases.id', 'case_readers.case_id')
    .innerJoin('srt_members', 'srt_members.member_id', 'case_readers.member_id')
    .select('case_readers.member_id as id')
    .where('case_readers.case_id', '=', caseId)
    .where('cases.kind', '=', 'security')
    .orderBy('case_readers.member_id')
    .execute();
  return rows.map((r) => r.id);
}

/** The case a conflict is recorded on (a lift or downgrade is proposed on that case only). */
export async function conflictCaseId(db: Db, conflictId: string): Promise<string | undefined> {
  const row = await db.selectFrom('case_conflicts').select('case_id').where('id', '=', conflictId).executeTakeFirst();
  return row?.case_id;
}

/** What a decision notification names: the member's name and address, and the case's reference (null: the project). */
export async function decisionNoticeTarget(
  db: Db,
  proposalId: string,
  memberId: string,
): Promise<{ name: string; email: string; caseId: string | null; reference: string | null } | undefined> {
  const row = await db
    .selectFrom('proposals')
    .innerJoin('members', (join) => join.on('members.id', '=', memberId))
    .leftJoin('cases', 'cases.id', 'proposals.case_id')
    .select(['members.name', 'members.email', 'proposals.case_id', 'cases.reference'])
    .where('proposals.id', '=', proposalId)
    .executeTakeFirst();
  return row && { name: row.name, email: row.email, caseId: row.case_id, reference: row.reference };
}

/** Names of these members (for the words of a proposal), by id; a removed member is missing. */
export async function memberNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('members').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The member each of these conflicts is recorded on, by conflict id. */
export async function conflictMemberIds(db: Db, conflictIds: readonly string[]): Promise<Map<string, string>> {
  if (conflictIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('case_conflicts')
    .select(['id', 'member_id'])
    .where('id', 'in', conflictIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.member_id]));
}

/** Members with this role, by name (the candidates of an appointment or an SRT extension). */
export async function membersWithRole(db: Db, role: 'liaison' | 'srt'): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('members').select(['id', 'name']).where('role', '=', role).orderBy('name').execute();
}

/** The liaisons appointed to the case now. */
export async function currentLiaisons(db: Db, caseId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('liaison_appointments')
    .innerJoin('members', 'members.id', 'liaison_appointments.member_id')
    .select(['members.id', 'members.name'])
    .where('liaison_appointments.case_id', '=', caseId)
    .where('liaison_appointments.ended_at', 'is', null)
    .orderBy('members.name')
    .execute();
}
