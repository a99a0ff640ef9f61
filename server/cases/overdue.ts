// Escalation of cases whose response-time clock ran out: every reader is told, not only the
// assignee, and only once per case. Run periodically by the job queue (server/main.ts).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { lockNewlyOverdueCases, markCaseEscalated } from '../../db/overdue.queries';
import { appendAudit } from '../audit/audit-log';
import type { CaseEvents } from './case-events';

/** Marks newly overdue cases as escalated (one transaction each) and tells their readers. */
export async function escalateOverdueCases(
  db: Kysely<Database>,
  events: CaseEvents,
  now: Date = new Date(),
): Promise<string[]> {
  const escalated = await db.transaction().execute(async (trx) => {
    const due = await lockNewlyOverdueCases(trx, now);
    for (const c of due) {
      await markCaseEscalated(trx, c.id, now);
      await appendAudit(trx, {
        caseId: c.id,
        actorMemberId: null,
        actorLabel: 'system',
        action: 'case.escalated',
        details: { reason: 'response-time target missed' },
      });
    }
    return due.map((c) => c.id);
  });
  for (const caseId of escalated) await events.overdue(caseId);
  return escalated;
}
