// Mails one sending to one distributor (issue 12 §2): a whole RFC 3156 PGP/MIME message whose
// encrypted part is exactly what the reader's browser encrypted to that distributor's key; the
// server decrypts nothing. The sending is locked for the mailing (SKIP LOCKED: with two instances,
// or a retried job, it is mailed once), marked sent and its ciphertext dropped in the same
// transaction; a failure to send rolls back and the queue retries.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { lockSendingToMail, markSendingSent, type SendingToMail } from '../../db/distributors.queries';
import type { Config } from '../config';
import type { Logger } from '../log';
import { pgpMimeMessage } from './pgp-mime';
import type { DistributorJob } from './queue';
import type { Mailer } from './transport';
import { distributorSubject } from '../disclosure/advisory-text';

export function createDistributorSender(deps: {
  db: Kysely<Database>;
  mailer: Mailer;
  config: Config;
  log: Logger;
  now?: () => Date;
}): (job: DistributorJob) => Promise<void> {
  const now = deps.now ?? (() => new Date());
  return async (job) => {
    await deps.db.transaction().execute(async (trx) => {
      const sending = await lockSendingToMail(trx, job.sendingId);
      if (!sending) {
        deps.log.info('distributor mail not sent: sent already, being sent, or the distributor was removed', {
          caseId: job.caseId,
          sendingId: job.sendingId,
        });
        return;
      }
      await deps.mailer.send(await distributorMail(deps.config, sending)).catch((error: unknown) => {
        const e = error as { code?: string; responseCode?: number };
        deps.log.warn('distributor mail not sent yet; the queue retries it', {
          caseId: job.caseId,
          sendingId: job.sendingId,
          failure: e.code ?? 'error',
          responseCode: e.responseCode,
        });
        throw error;
      });
      await markSendingSent(trx, sending.id, now());
    });
  };
}

/** The mail: in the clear, the reference and the planned date; everything else is in the encrypted part. */
export async function distributorMail(config: Config, sending: SendingToMail) {
  const subject = distributorSubject(config.projectName, sending.kind, sending.reference, sending.plannedOn);
  return {
    from: config.mail.from,
    to: sending.email,
    subject,
    raw: await pgpMimeMessage({
      from: config.mail.from,
      to: sending.email,
      subject,
      armored: sending.ciphertext,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    }),
  };
}
