import type { Kysely, Transaction } from 'kysely';
import type { Database, LiaisonAppointmentsTable } from './database';

type Db = Kysely<Database> | Transaction<Database>;
export type LiaisonEndedBecause = NonNullable<LiaisonAppointmentsTable['ended_because']>;

/** The liaisons appointed to a case and not ended (member ids, oldest appointment first). */
export async function currentLiaisons(db: Db, caseId: string): Promise<{ id: string; memberId: string }[]> {
  const rows = await db
    .selectFrom('liaison_appointments')
    .select(['id', 'member_id'])
    .where('case_id', '=', caseId)
    .where('ended_at', 'is', null)
    .orderBy('appointed_at')
    .execute();
  return rows.map((r) => ({ id: r.id, memberId: r.member_id }));
}

export async function currentAppointment(db: Db, caseId: string, memberId: string) {
  return db
    .selectFrom('liaison_appointments')
    .select(['id'])
    .where('case_id', '=', caseId)
    .where('member_id', '=', memberId)
    .where('ended_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertAppointment(
  db: Db,
  caseId: string,
  memberId: string,
  proposalId: string | null,
): Promise<string> {
  const row = await db
    .insertInto('liaison_appointments')
    .values({ case_id: caseId, member_id: memberId, proposal_id: proposalId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function endAppointment(
  db: Db,
  appointmentId: string,
  because: LiaisonEndedBecause,
  proposalId: string | null,
): Promise<void> {
  await db
    .updateTable('liaison_appointments')
    .set({ ended_at: new Date(), ended_because: because, ended_by_proposal_id: proposalId })
    .where('id', '=', appointmentId)
    .execute();
}

/** The member's role, or undefined when no such member is on file. */
export async function memberRole(db: Db, memberId: string) {
  return (await db.selectFrom('members').select('role').where('id', '=', memberId).executeTakeFirst())?.role;
}

/** The case's kind and status. */
export async function caseKindAndStatus(db: Db, caseId: string) {
  return db.selectFrom('cases').select(['kind', 'status']).where('id', '=', caseId).executeTakeFirst();
}
