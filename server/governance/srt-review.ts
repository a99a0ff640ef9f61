// The SRT's yearly review (issue 11 §2): a decision "the SRT has been reviewed", due a year after
// the last one. OWNER: helper "srt".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { GovernanceActor } from './governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

export async function checkSrtReview(_db: Db): Promise<void> {
  throw new Error('not built yet (helper "srt")');
}

export async function recordSrtReview(_trx: Transaction<Database>, _actor: GovernanceActor): Promise<void> {
  throw new Error('not built yet (helper "srt")');
}
