// Publishing a security case's advisory is a decision (issue 12 §1); it moves the case to
// `published`. OWNER: helper "advisory".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { GovernanceActor } from '../governance/governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

export async function checkAdvisoryPublication(_db: Db, _caseId: string): Promise<void> {
  throw new Error('not built yet (helper "advisory")');
}

export async function publishAdvisory(
  _trx: Transaction<Database>,
  _caseId: string,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet (helper "advisory")');
}
