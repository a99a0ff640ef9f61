// Outbound e-mail in one running instance: the queue and its worker, the notifications the other
// workflows call, and the acknowledgements to e-mail reporters. Started and stopped by main.ts.
import type PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../../db/connect';
import { indexNotificationsByMember, waitingNotificationsFor } from '../../db/mail-queue.queries';
import type { CaseEvents } from '../cases/case-events';
import type { Config } from '../config';
import type { Acknowledge } from '../intake/mail-acknowledgement';
import type { Logger } from '../log';
import { Acknowledger } from './acknowledge';
import { createMailTemplates } from './compose';
import { createNotificationSender } from './notification-sender';
import { createReferralSender } from './referral-sender';
import { createMeetingSender } from './meeting-sender';
import { createCncfNoticeSender } from './cncf-notice-sender';
import { createDistributorSender } from './distributor-sender';
import { createMailNotifications } from './notifications';
import { SEND_QUEUE, startMailQueue, type QueueOptions } from './queue';
import { createMailer, type Mailer } from './transport';

export interface MailService {
  events: CaseEvents;
  /** The pg-boss the queue runs on, for the other background jobs (retention). */
  boss: PgBoss;
  /** The acknowledgement to an e-mail reporter (sent from memory; see acknowledge.ts). */
  acknowledge: Acknowledge;
  /** For a member's dashboard: whether mail can go out, and how much of the mail to this member waits. */
  status(memberId: string): Promise<{ relayConfigured: boolean; waiting: number }>;
  stop(): Promise<void>;
}

export async function startMailService(deps: {
  config: Config;
  database: Pick<DatabaseHandle, 'db' | 'url'>;
  log: Logger;
  queue?: QueueOptions;
  mailer?: Mailer;
}): Promise<MailService> {
  const { config, log } = deps;
  const db = deps.database.db;
  const mailer = deps.mailer ?? createMailer(config.mail);
  const templates = createMailTemplates(config);
  const queue = await startMailQueue(deps.database.url, log, deps.queue);
  await indexNotificationsByMember(db);
  const events = createMailNotifications({ db, boss: queue.boss, log });
  if (mailer.configured) {
    const notify = createNotificationSender({ db, mailer, templates, config, log });
    const refer = createReferralSender({ db, mailer, config, log });
    const meet = createMeetingSender({ db, mailer, config, log });
    const notice = createCncfNoticeSender({ db, mailer, config, log });
    const toDistributor = createDistributorSender({ db, mailer, config, log });
    await queue.work((job) => {
      switch (job.event) {
        case 'committee-referral':
          return refer(job);
        case 'meeting':
          return meet(job);
        case 'cncf-notice':
          return notice(job);
        case 'distributor-sending':
          return toDistributor(job);
        default:
          return notify(job);
      }
    });
    log.info('outbound mail: sending through the relay in SMTP_URL');
  } else {
    log.warn(
      'outbound mail: SMTP_URL is not set, so notifications are kept in the queue and sent once it is; acknowledgements to e-mail reporters are not sent',
      {
        waiting: await queue.waiting(),
      },
    );
  }
  const acknowledger = new Acknowledger({ config, mailer, templates, log, db });

  return {
    events,
    boss: queue.boss,
    acknowledge: (request) => acknowledger.acknowledge(request),
    status: async (memberId) => ({
      relayConfigured: mailer.configured,
      waiting: await waitingNotificationsFor(db, SEND_QUEUE, memberId),
    }),
    stop: async () => {
      acknowledger.close();
      await queue.stop();
      mailer.close();
    },
  };
}
