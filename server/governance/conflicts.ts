// Conflicts of interest on a Code of Conduct case (issue 10 §2). OWNER: helper "conflicts".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { GovernanceActor } from './governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

/** Whether the active conflict can be lifted ('none') or downgraded to soft. */
export async function checkConflictChange(_db: Db, _conflictId: string, _to: 'none' | 'soft'): Promise<void> {
  throw new Error('not built yet: checkConflictChange (helper "conflicts")');
}

/** The passed decision to lift a conflict: a member no longer hard-conflicted reads the case again (a pending grant). */
export async function liftConflict(
  _trx: Transaction<Database>,
  _conflictId: string,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet: liftConflict (helper "conflicts")');
}

export async function downgradeConflict(
  _trx: Transaction<Database>,
  _conflictId: string,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet: downgradeConflict (helper "conflicts")');
}
