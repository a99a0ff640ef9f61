import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, ReaderVia } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Makes the member a reader of the case (if not one already); true when the row is new. */
export async function insertCaseReader(db: Db, caseId: string, memberId: string, via: ReaderVia): Promise<boolean> {
  const inserted = await db
    .insertInto('case_readers')
    .values({ case_id: caseId, member_id: memberId, via })
    .onConflict((oc) => oc.columns(['case_id', 'member_id']).doNothing())
    .returning('member_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Takes the member's access to the case away: its reader row (its read marks go with it), then every
 * session-key packet of any of its keys on the case's messages. The row first: a grant being stored
 * holds it locked (db/grants.queries.ts lockMemberGrantee), so this waits for that grant to commit
 * and then deletes its packets too. Returns how many packets went.
 */
export async function deleteCaseReader(db: Db, caseId: string, memberId: string): Promise<number> {
  await db.deleteFrom('case_readers').where('case_id', '=', caseId).where('member_id', '=', memberId).execute();
  const packets = await sql<{ n: string }>`
    WITH gone AS (
      DELETE FROM session_keys k
       USING messages m, member_keys mk
       WHERE k.message_id = m.id AND m.case_id = ${caseId}::uuid
         AND k.member_key_id = mk.id AND mk.member_id = ${memberId}::uuid
      RETURNING 1)
    SELECT count(*)::text AS n FROM gone`.execute(db);
  return Number(packets.rows[0]?.n ?? 0);
}
