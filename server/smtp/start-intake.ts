// The SMTP intake of one running instance: the processor (worker threads, or this thread when
// SMTP_WORKERS=0) and the listener on SMTP_PORT. Started and stopped by main.ts, which hands in
// what happens after a message is stored: the readers' notifications and the acknowledgement.
import type { DatabaseHandle } from '../../db/connect';
import type { CaseEvents } from '../cases/case-events';
import type { Config } from '../config';
import type { Acknowledge } from '../intake/mail-acknowledgement';
import type { IntakeKeyring } from '../intake-key/keyring';
import type { Logger } from '../log';
import { createSmtpIntake, type SmtpIntake } from './intake-server';
import { inThisThread, startIntakeWorkers, type MailProcessor } from './intake-workers';

export interface RunningSmtpIntake {
  /** The port the SMTP intake listens on, or null when it is off (SMTP_PORT=off). */
  port: number | null;
  /** Reloads the intake keys in every part of this instance now (otherwise within 30 s). */
  refreshKeys(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpIntake(deps: {
  config: Config;
  database: Pick<DatabaseHandle, 'db' | 'url'>;
  intakeKeys: { keyring: IntakeKeyring; passphrase: string };
  events: Pick<CaseEvents, 'caseStored' | 'messageAdded'>;
  acknowledge: Acknowledge;
  log: Logger;
}): Promise<RunningSmtpIntake> {
  const { config, log } = deps;
  const { db, url } = deps.database;
  const { keyring, passphrase } = deps.intakeKeys;
  let intake: SmtpIntake | null = null;
  let processor: MailProcessor | null = null;
  let port: number | null = null;
  if (config.mail.smtpPort !== null) {
    processor =
      config.mail.workers > 0
        ? await startIntakeWorkers({ size: config.mail.workers, init: { config, databaseUrl: url, passphrase }, log })
        : inThisThread({ db, config, keyring });
    intake = createSmtpIntake({ config, db, processor, events: deps.events, log, acknowledge: deps.acknowledge });
    port = await intake.listen(config.mail.smtpPort, config.mail.smtpHost);
    log.info('SMTP intake listening', {
      port,
      workers: config.mail.workers,
      addresses: [...config.mail.addresses.security, ...config.mail.addresses.coc],
      starttls: config.mail.tls !== null,
    });
  }
  return {
    port,
    refreshKeys: async () => {
      await keyring.refresh(true);
      await processor?.refreshKeys();
    },
    close: async () => {
      await intake?.close();
      await processor?.close();
    },
  };
}
