// The e-mail side of one instance, wired as server/main.ts wires it: the intake keys unlocked,
// outbound mail started, then the SMTP intake with mail's notifications and acknowledgements.
import type { DatabaseHandle } from '../../db/connect';
import type { Argon2Cost } from '../../crypto/openpgp-config';
import type { Config } from '../../server/config';
import { unlockIntakeKeys, type IntakeKeyring } from '../../server/intake-key/keyring';
import type { Logger } from '../../server/log';
import { startMailService, type MailService } from '../../server/mail/mail-service';
import type { QueueOptions } from '../../server/mail/queue';
import { startSmtpIntake, type RunningSmtpIntake } from '../../server/smtp/start-intake';

export interface MailInstance {
  intakeKeys: IntakeKeyring;
  mail: MailService;
  smtp: RunningSmtpIntake;
  /** The SMTP intake first, then outbound mail, as main.ts stops them. */
  stop(): Promise<void>;
}

export async function startMailInstance(deps: {
  config: Config;
  database: Pick<DatabaseHandle, 'db' | 'url'>;
  log: Logger;
  argon2?: Argon2Cost;
  queue?: QueueOptions;
}): Promise<MailInstance> {
  const { config, database, log } = deps;
  const intakeKeys = await unlockIntakeKeys({ db: database.db, config, log, argon2: deps.argon2 });
  const mail = await startMailService({ config, database, log, queue: deps.queue });
  const smtp = await startSmtpIntake({
    config,
    database,
    intakeKeys,
    events: mail.events,
    acknowledge: mail.acknowledge,
    log,
  });
  return {
    intakeKeys: intakeKeys.keyring,
    mail,
    smtp,
    stop: async () => {
      await smtp.close();
      await mail.stop();
    },
  };
}
