// The liaison a passed decision appoints to work a CoC case with the CNCF committee (issue 10 §5).
// OWNER: helper "conflicts".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { GovernanceActor } from './governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

/** A member with role liaison, with no conflict on the case, not named in it, not appointed already. */
export async function checkLiaisonAppointment(_db: Db, _caseId: string, _memberId: string): Promise<void> {
  throw new Error('not built yet: checkLiaisonAppointment (helper "conflicts")');
}

export async function appointLiaison(
  _trx: Transaction<Database>,
  _caseId: string,
  _memberId: string,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet: appointLiaison (helper "conflicts")');
}

export async function checkLiaisonEnd(_db: Db, _caseId: string, _memberId: string): Promise<void> {
  throw new Error('not built yet: checkLiaisonEnd (helper "conflicts")');
}

export type LiaisonEndCause = 'decision' | 'committee-closed' | 'case-closed' | 'conflict';

/** Ends the appointment and revokes the liaison's access to the case at once. */
export async function endLiaison(
  _trx: Transaction<Database>,
  _caseId: string,
  _memberId: string,
  _because: LiaisonEndCause,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet: endLiaison (helper "conflicts")');
}
