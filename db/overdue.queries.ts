import { sql, type Transaction } from 'kysely';
import type { Database } from './database';

/** How many overdue cases one run escalates at most; the next run takes the rest. */
const BATCH = 500;

/**
 * Locks cases whose acknowledge or triage clock ran out and that were not escalated yet. SKIP
 * LOCKED: two instances running the job at once get disjoint cases.
 */
export async function lockNewlyOverdueCases(
  trx: Transaction<Database>,
  now: Date,
): Promise<{ id: string; reference: string }[]> {
  return trx
    .selectFrom('cases')
    .select(['id', 'reference'])
    .where('escalated_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('acknowledged_at', 'is', null), eb('acknowledge_due_at', '<', now)]),
        eb.and([eb('triaged_at', 'is', null), eb('triage_due_at', '<', now)]),
      ]),
    )
    .limit(BATCH)
    .forUpdate()
    .modifyEnd(sql`SKIP LOCKED`)
    .execute();
}

export async function markCaseEscalated(trx: Transaction<Database>, caseId: string, now: Date): Promise<void> {
  await trx.updateTable('cases').set({ escalated_at: now }).where('id', '=', caseId).execute();
}
