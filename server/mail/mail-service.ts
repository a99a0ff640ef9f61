// Everything e-mail in one running instance: the intake key, the outbound queue and its worker,
// the notifications the other workflows call, and the SMTP intake. Started and stopped by main.ts.
import type { DatabaseHandle } from '../../db/connect';
import { indexNotificationsByMember, waitingNotificationsFor } from '../../db/mail-queue.queries';
import type { Argon2Cost } from '../../crypto/openpgp-config';
import type { CaseEvents } from '../cases/case-events';
import type { Config } from '../config';
import { IntakeKeyring } from '../intake-key/keyring';
import { resolveIntakePassphrase } from '../intake-key/passphrase';
import type { Logger } from '../log';
import { Acknowledger } from '../smtp/acknowledge';
import { createSmtpIntake, type SmtpIntake } from '../smtp/intake-server';
import { inThisThread, startIntakeWorkers, type MailProcessor } from '../smtp/intake-workers';
import { createMailTemplates } from './compose';
import { createNotificationSender } from './notification-sender';
import { createMailNotifications } from './notifications';
import { SEND_QUEUE, startMailQueue, type QueueOptions } from './queue';
import { createMailer, type Mailer } from './transport';

export interface MailService {
  events: CaseEvents;
  intakeKeys: IntakeKeyring;
  /** The port the SMTP intake listens on, or null when it is off. */
  smtpPort: number | null;
  /** Reloads the intake keys in every part of this instance now (otherwise within 30 s). */
  refreshKeys(): Promise<void>;
  /** For a member's dashboard: whether mail can go out, and how much of the mail to this member waits. */
  status(memberId: string): Promise<{ relayConfigured: boolean; waiting: number }>;
  stop(): Promise<void>;
}

export async function startMailService(deps: {
  config: Config;
  database: Pick<DatabaseHandle, 'db' | 'url'>;
  log: Logger;
  argon2?: Argon2Cost;
  queue?: QueueOptions;
  mailer?: Mailer;
}): Promise<MailService> {
  const { config, log } = deps;
  const db = deps.database.db;
  const passphrase = await resolveIntakePassphrase(config.mail.intakeKeyPassphrase, log);
  const intakeKeys = await IntakeKeyring.open({ db, config, passphrase, log, argon2: deps.argon2 });
  log.info('intake key', { fingerprint: intakeKeys.current().fingerprint });

  const mailer = deps.mailer ?? createMailer(config.mail);
  const templates = createMailTemplates(config);
  const queue = await startMailQueue(deps.database.url, log, deps.queue);
  await indexNotificationsByMember(db);
  const events = createMailNotifications({ db, boss: queue.boss, log });
  if (mailer.configured) {
    await queue.work(createNotificationSender({ db, mailer, templates, config, log }));
    log.info('outbound mail: sending through the relay in SMTP_URL');
  } else {
    log.warn('outbound mail: SMTP_URL is not set, so notifications are kept in the queue and sent once it is; acknowledgements to e-mail reporters are not sent', {
      waiting: await queue.waiting(),
    });
  }

  const acknowledger = new Acknowledger({ config, mailer, templates, log });
  let intake: SmtpIntake | null = null;
  let processor: MailProcessor | null = null;
  let smtpPort: number | null = null;
  if (config.mail.smtpPort !== null) {
    processor =
      config.mail.workers > 0
        ? await startIntakeWorkers({ size: config.mail.workers, init: { config, databaseUrl: deps.database.url, passphrase }, log })
        : inThisThread({ db, config, keyring: intakeKeys });
    intake = createSmtpIntake({ config, db, processor, events, log, acknowledger });
    smtpPort = await intake.listen(config.mail.smtpPort, config.mail.smtpHost);
    log.info('SMTP intake listening', {
      port: smtpPort,
      workers: config.mail.workers,
      addresses: [...config.mail.addresses.security, ...config.mail.addresses.coc],
      starttls: config.mail.tls !== null,
    });
  }

  return {
    events,
    intakeKeys,
    smtpPort,
    refreshKeys: async () => {
      await intakeKeys.refresh(true);
      await processor?.refreshKeys();
    },
    status: async (memberId) => ({ relayConfigured: mailer.configured, waiting: await waitingNotificationsFor(db, SEND_QUEUE, memberId) }),
    stop: async () => {
      await intake?.close();
      await processor?.close();
      acknowledger.close();
      await queue.stop();
      mailer.close();
    },
  };
}
