// A legal hold stops a case's deletion; placing one is recorded, lifting it is a decision (issue 12
// §3). OWNER: helper "retention".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { GovernanceActor } from '../governance/governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

export async function checkHoldLift(_db: Db, _caseId: string): Promise<void> {
  throw new Error('not built yet (helper "retention")');
}

export async function liftLegalHold(
  _trx: Transaction<Database>,
  _caseId: string,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet (helper "retention")');
}
