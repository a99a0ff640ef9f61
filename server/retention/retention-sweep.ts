// One run of retention: warn the readers of the cases whose content goes within a week, then delete
// the content that is due. Each deletion is its own transaction with its audit row; cases another
// run holds are skipped (SKIP LOCKED), so two runs at once delete each case once.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import {
  deleteCaseContent,
  lockOneDeletableCase,
  markCasesToWarn,
  type RetentionPolicy,
} from '../../db/retention.queries';
import { appendAudit } from '../audit/audit-log';
import type { CaseEvents } from '../cases/case-events';

/** At most this many deletions per run; the next run takes the rest. */
const DELETIONS_PER_RUN = 200;

export interface SweepResult {
  warned: string[];
  deleted: string[];
}

export async function runRetentionSweep(
  db: Kysely<Database>,
  policy: RetentionPolicy,
  events: CaseEvents,
  now: Date,
): Promise<SweepResult> {
  const warned = await db.transaction().execute(async (trx) => {
    const cases = await markCasesToWarn(trx, policy, now);
    for (const c of cases)
      await appendAudit(trx, {
        caseId: c.id,
        actorMemberId: null,
        actorLabel: 'system',
        action: 'retention.deletion-announced',
        details: { deleteOn: c.dueAt.toISOString() },
      });
    return cases;
  });
  for (const c of warned) await events.retentionWarning(c.id, c.dueAt);

  const deleted: string[] = [];
  while (deleted.length < DELETIONS_PER_RUN) {
    const id = await db.transaction().execute(async (trx) => {
      const due = await lockOneDeletableCase(trx, policy, now);
      if (!due) return null;
      const counts = await deleteCaseContent(trx, due.id, now);
      await appendAudit(trx, {
        caseId: due.id,
        actorMemberId: null,
        actorLabel: 'system',
        action: 'retention.content-deleted',
        details: { ...counts, retentionDays: policy[due.kind].days, dueOn: due.dueAt.toISOString() },
      });
      return due.id;
    });
    if (id === null) break;
    deleted.push(id);
  }
  return { warned: warned.map((c) => c.id), deleted };
}
