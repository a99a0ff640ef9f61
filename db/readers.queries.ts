import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** The security cases in (or not in) these states that the member does not read yet. */
export async function securityCasesNotRead(
  db: Db,
  memberId: string,
  states: { in?: readonly string[]; notIn?: readonly string[] },
): Promise<string[]> {
  const rows = await db
    .selectFrom('cases as c')
    .select('c.id')
    .where('c.kind', '=', 'security')
    .$if(states.in !== undefined, (qb) => qb.where('c.status', 'in', [...states.in!, '']))
    .$if(states.notIn !== undefined, (qb) => qb.where('c.status', 'not in', [...states.notIn!, '']))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('case_readers as cr')
            .select('cr.case_id')
            .whereRef('cr.case_id', '=', 'c.id')
            .where('cr.member_id', '=', memberId),
        ),
      ),
    )
    .orderBy('c.created_at')
    .execute();
  return rows.map((r) => r.id);
}

/** Who reads the case and why (via), since when, by name. */
export async function caseReadersWithVia(
  db: Db,
  caseId: string,
): Promise<{ id: string; name: string; role: string; via: string; since: Date }[]> {
  const rows = await db
    .selectFrom('case_readers as cr')
    .innerJoin('members as m', 'm.id', 'cr.member_id')
    .select(['m.id', 'm.name', 'm.role', 'cr.via', 'cr.granted_at'])
    .where('cr.case_id', '=', caseId)
    .orderBy('m.name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, via: r.via, since: r.granted_at }));
}
