// New activity on a case restarts its retention clock: a status change (db/case-work.queries.ts)
// and every new message, whoever writes it (a reporter's answer, a reader's comment or reply, a
// reopening's note, the committee's decision, minutes, an advisory draft). Reading, assigning or
// scoring a case does not: they add nothing to keep. Once the content is deleted nothing is added.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { restartRetentionClock } from '../../db/retention.queries';
import { conflict } from '../errors';

export const CONTENT_DELETED =
  'This case’s content has been deleted at the end of its retention period: nothing can be added to it any more.';

/** Inside the transaction that adds a message: restarts the clock, or refuses when the content is gone. */
export async function noteCaseActivity(trx: Transaction<Database>, caseId: string): Promise<void> {
  if (!(await restartRetentionClock(trx, caseId))) throw conflict(CONTENT_DELETED);
}
