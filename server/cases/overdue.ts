// Escalation of cases whose response-time clock ran out: every reader is told, not only the
// assignee, and only once per case. Run periodically by the job queue (server/main.ts).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { appendAudit } from '../audit/audit-log';
import type { CaseEvents } from './case-events';

/** Marks newly overdue cases as escalated (one transaction each) and tells their readers. */
export async function escalateOverdueCases(db: Kysely<Database>, events: CaseEvents, now: Date = new Date()): Promise<string[]> {
  const escalated = await db.transaction().execute(async (trx) => {
    // SKIP LOCKED: two instances running the job at once escalate disjoint cases.
    const due = await trx
      .selectFrom('cases')
      .select(['id', 'reference'])
      .where('escalated_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb.and([eb('acknowledged_at', 'is', null), eb('acknowledge_due_at', '<', now)]),
          eb.and([eb('triaged_at', 'is', null), eb('triage_due_at', '<', now)]),
        ]),
      )
      .limit(500)
      .forUpdate()
      .modifyEnd(sql`SKIP LOCKED`)
      .execute();
    for (const c of due) {
      await trx.updateTable('cases').set({ escalated_at: now }).where('id', '=', c.id).execute();
      await appendAudit(trx, { caseId: c.id, actorMemberId: null, actorLabel: 'system', action: 'case.escalated', details: { reason: 'response-time target missed' } });
    }
    return due.map((c) => c.id);
  });
  for (const caseId of escalated) await events.overdue(caseId);
  return escalated;
}
