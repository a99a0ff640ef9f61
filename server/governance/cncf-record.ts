// The CNCF CoC Committee's central record and the CoC remedies that need a legal consultation
// (issue 11 §4). OWNER: helper "cncf".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { GovernanceActor } from './governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

/** A resolution by decision (a remedy that needs one): can it be proposed, and still be carried out? */
export async function checkCocResolution(_db: Db, _caseId: string, _payload: unknown): Promise<void> {
  throw new Error('not built yet (helper "cncf")');
}

export async function resolveCocByDecision(
  _trx: Transaction<Database>,
  _caseId: string,
  _payload: unknown,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet (helper "cncf")');
}

export function cocResolutionTitle(_payload: unknown): string {
  return 'Resolve this case with a remedy';
}
