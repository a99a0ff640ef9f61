// Reminders before a security case's embargo ends (issue 12 §2): seven days and one day ahead, to
// the case's readers (and nobody else: the mail queue sends to current readers only). Each once per
// embargo day: the claim is a row (case, day, lead) inserted in the same transaction as its audit
// row, so two instances racing insert it once; a new embargo day has no rows yet, which re-arms both.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { casesDueForReminder, claimReminder, type EmbargoDue } from '../../db/distributors.queries';
import { appendAudit } from '../audit/audit-log';
import type { CaseEvents } from '../cases/case-events';
import { dayOf } from './embargo-dates';

/** Seven days ahead (until the last day), then one day ahead. */
const LEADS: readonly { daysBefore: number; after: number }[] = [
  { daysBefore: 7, after: 1 },
  { daysBefore: 1, after: 0 },
];

/** Sends the reminders due at `now`; returns how many cases were reminded (for tests and logs). */
export async function remindOfEmbargoes(db: Kysely<Database>, events: CaseEvents, now: Date): Promise<number> {
  const today = dayOf(now);
  let reminded = 0;
  for (const lead of LEADS) {
    for (const due of await casesDueForReminder(db, today, lead.daysBefore, lead.after)) {
      if (await claim(db, due, lead.daysBefore, now)) {
        await events.embargoReminder(due.caseId, due.embargoOn, lead.daysBefore);
        reminded++;
      }
    }
  }
  return reminded;
}

async function claim(db: Kysely<Database>, due: EmbargoDue, daysBefore: number, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await claimReminder(trx, due, daysBefore, now))) return false;
    await appendAudit(trx, {
      caseId: due.caseId,
      actorMemberId: null,
      actorLabel: 'system',
      action: 'embargo.reminded',
      details: { embargoOn: due.embargoOn, daysBefore },
    });
    return true;
  });
}
