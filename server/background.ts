// Periodic work every instance runs; each task is safe to run from several instances at once
// (the audit sealer takes a try-lock; escalation skips cases another instance has locked; settling
// decisions skips a proposal another transaction holds; the deletions of expired rows are
// idempotent). Outbound mail is pg-boss's: each job goes to one worker.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { isDatabaseShuttingDown } from '../db/errors';
import { sealAuditLog } from './audit/audit-log';
import type { CaseEvents } from './cases/case-events';
import type { Logger } from './log';
import { escalateOverdueCases } from './cases/overdue';
import { deleteExpiredSubmissionTokens } from '../db/submission-tokens.queries';
import { settleProposals } from './governance/decision-settle';
import { enqueueReadyReferrals } from './governance/referral';
import { enqueueWaitingNotices } from './governance/cncf-notices';
import { dropEndedLimitWindows } from './limits/shared-limits';
import { enqueueUnmailedMeetingMail } from './meetings/meeting-invitees';
import { remindOfEmbargoes } from './disclosure/embargo-reminders';
import { giveUpStaleSendings } from './disclosure/distributor-sending';
import type { RetentionJob } from './retention/retention-job';
import { srtUpkeep } from './governance/srt-upkeep';

export interface BackgroundWork {
  stop(): void;
}

export function startBackgroundWork(deps: {
  db: Kysely<Database>;
  events: CaseEvents;
  log: Logger;
  /** The clock of decisions (deadlines); the real one unless a test gives its own. */
  now?: () => Date;
  /** Retention's pg-boss job (server/retention/retention-job.ts): a run is asked for now and then. */
  retention?: RetentionJob;
}): BackgroundWork {
  const every = (ms: number, name: string, task: () => Promise<unknown>) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      task()
        .catch((error: unknown) => {
          if (!isDatabaseShuttingDown(error)) deps.log.warn(`${name} failed; will retry`, { error });
        })
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    return timer;
  };
  const timers = [
    every(2_000, 'sealing the audit log', () => sealAuditLog(deps.db)),
    every(60_000, 'escalating overdue cases', () => escalateOverdueCases(deps.db, deps.events)),
    every(60_000, 'dropping expired submission tokens', () => deleteExpiredSubmissionTokens(deps.db)),
    // Lazy consensus at its deadline, votes at theirs: each proposal settled once, whichever instance gets it.
    every(60_000, 'settling decisions', async () => {
      for (const settled of await settleProposals(deps.db, (deps.now ?? (() => new Date()))()))
        await deps.events.decisionChanged(settled.id, 'closed');
    }),
    every(60_000, 'enqueueing referrals ready for the committee', () => enqueueReadyReferrals(deps.db, deps.events)),
    every(60_000, 'enqueueing CNCF notices not mailed yet', () => enqueueWaitingNotices(deps.db, deps.events)),
    every(60_000, 'dropping ended rate-limit windows', () => dropEndedLimitWindows(deps.db)),
    every(30_000, 'mailing changed meeting invitations', () => enqueueUnmailedMeetingMail(deps.db, deps.events)),
    // Each reminder claimed by one row (case, embargo day, lead): once, whichever instance inserts it.
    every(60_000, 'reminding of embargoes', () =>
      remindOfEmbargoes(deps.db, deps.events, (deps.now ?? (() => new Date()))()),
    ),
    every(10 * 60_000, 'asking for a retention run', async () =>
      deps.retention?.enqueue((deps.now ?? (() => new Date()))()),
    ),
    every(60_000, "the SRT's review reminders and handovers", () => srtUpkeep(deps.db, deps.events, deps.now)),
  ];
  return { stop: () => timers.forEach(clearInterval) };
}
