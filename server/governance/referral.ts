// The referral of a Code of Conduct case to the CNCF CoC Committee (issue 10 §4). OWNER: helper "access".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { GovernanceActor } from './governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

/** Whether the case can be referred: a CoC case, not referred already, the committee's key configured. */
export async function checkReferral(_db: Db, _caseId: string): Promise<void> {
  throw new Error('not built yet: checkReferral (helper "access")');
}

/** The passed referral: records a sending of every message, waiting for a reader's browser to re-wrap them to the committee key. */
export async function startReferral(
  _trx: Transaction<Database>,
  _caseId: string,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet: startReferral (helper "access")');
}
