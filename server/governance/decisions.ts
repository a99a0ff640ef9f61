// Proposals, lazy consensus and votes (issue 10 §3). OWNER: helper "decisions".
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database';

/**
 * A proposal the system makes (a majority of the approvers hard-conflicted: the case must go to the
 * CNCF committee). Returns its id, or null when the same proposal is open or has passed already.
 */
export async function proposeBySystem(
  _trx: Transaction<Database>,
  _caseId: string,
  _kind: 'refer',
): Promise<string | null> {
  throw new Error('not built yet: proposeBySystem (helper "decisions")');
}
