// The outbound mail queue: pg-boss in the application's own PostgreSQL (schema "pgboss"). Jobs
// carry ids only (event, case, member, message), never an address or content. A job is fetched
// with FOR UPDATE SKIP LOCKED, so with several instances each job is sent by exactly one.
import { isDatabaseShuttingDown } from '../../db/errors';
import PgBoss from 'pg-boss';
import type { Logger } from '../log';
import type { DecisionNotice, NotificationEvent } from './compose';

export const SEND_QUEUE = 'mail-notification';

/** One notification to one member: about one case, or about one decision. */
export type NotificationJob = CaseNotificationJob | DecisionNotificationJob | SrtReviewJob;

/** The SRT's yearly review is due soon or overdue: to one approver. */
export interface SrtReviewJob {
  event: 'srt-review';
  reminder: 'month-before' | 'overdue';
  dueAt: string;
  memberId: string;
}

export interface DecisionNotificationJob {
  event: 'decision';
  change: DecisionNotice;
  proposalId: string;
  memberId: string;
}

export interface CaseNotificationJob {
  event: NotificationEvent;
  caseId: string;
  memberId: string;
  /** For new-message: the message it is about (attached when the member opted in). */
  messageId?: string;
  /** For embargo-reminder: the embargo day and how many days ahead (a date and a count, no content). */
  embargoOn?: string;
  daysBefore?: number;
  /** For retention-warning: the date the content is deleted on (ISO). */
  deleteOn?: string;
}

/** One mail to the CNCF CoC Committee carrying a referral's messages (server/mail/referral-sender.ts). */
export interface ReferralJob {
  event: 'committee-referral';
  caseId: string;
  referralId: string;
}

/** One invitee's copy of a closed meeting (server/mail/meeting-sender.ts). */
export interface MeetingJob {
  event: 'meeting';
  meetingId: string;
  memberId: string;
}

/** One notice to the CNCF central record (server/mail/cncf-notice-sender.ts). */
export interface CncfNoticeJob {
  event: 'cncf-notice';
  caseId: string;
  noticeId: string;
}

/** One mail to one distributor: the advisory or release notice a reader's browser encrypted to its key (server/mail/distributor-sender.ts). */
export interface DistributorJob {
  event: 'distributor-sending';
  caseId: string;
  sendingId: string;
}

export type MailJob = NotificationJob | ReferralJob | MeetingJob | CncfNoticeJob | DistributorJob;

export interface QueueOptions {
  /** How often an idle worker looks for jobs. */
  pollingIntervalSeconds?: number;
  /** Retries with exponential back-off: 12 from 30 s spans about two days of relay outage. */
  retryLimit?: number;
  retryDelaySeconds?: number;
}

export interface MailQueue {
  readonly boss: PgBoss;
  /** Starts sending with `send`; without a relay, do not call it and jobs wait in the queue. */
  work(send: (job: MailJob) => Promise<void>): Promise<void>;
  /** Jobs not sent yet (waiting or retrying), for the start-up log and `intake mail status`. */
  waiting(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts pg-boss against the application database (installing its schema on first start). */
export async function startMailQueue(url: string, log: Logger, options: QueueOptions = {}): Promise<MailQueue> {
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    application_name: 'intake-mail-queue',
    max: 4,
    // Cron scheduling is not used; maintenance (expiry, archiving) is.
    schedule: false,
  });
  // pg-boss reports its own connection trouble here; the error carries no job data.
  boss.on('error', (error) => {
    if (isDatabaseShuttingDown(error))
      log.info('mail queue: the database is shutting down or restarting; pg-boss reconnects');
    else log.error('mail queue error', { error });
  });
  await boss.start();
  await boss.createQueue(SEND_QUEUE, {
    name: SEND_QUEUE,
    policy: 'standard',
    retryLimit: options.retryLimit ?? 12,
    retryDelay: options.retryDelaySeconds ?? 30,
    retryBackoff: true,
    expireInSeconds: 5 * 60,
    // A notification that waited this long without a relay is dropped; the dashboard still shows the case.
    retentionDays: 30,
  });

  return {
    boss,
    work: async (send) => {
      await boss.work<MailJob>(
        SEND_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
        async ([job]) => {
          if (job) await send(job.data);
        },
      );
    },
    waiting: async () => boss.getQueueSize(SEND_QUEUE, { before: 'completed' }),
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }),
  };
}
