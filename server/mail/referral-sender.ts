// Mails a referral to the CNCF CoC Committee (issue 10 §4): one message, multipart/mixed, with a
// short plain-text part (the case reference, how many messages) and one RFC 3156 PGP/MIME part per
// message, each the committee's session-key packet + the stored body: the server decrypts nothing.
// The referral row is locked for the whole sending, so that with two instances (or a retried job)
// it is mailed and recorded once; a failure to send rolls back and the queue retries.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { Config } from '../config';
import { lockReferralForSending, recordReferralSent, type ReferralSending } from '../governance/referral';
import type { Logger } from '../log';
import { pgpMimePart } from './pgp-mime';
import type { ReferralJob } from './queue';
import type { Mailer } from './transport';

export function createReferralSender(deps: {
  db: Kysely<Database>;
  mailer: Mailer;
  config: Config;
  log: Logger;
}): (job: ReferralJob) => Promise<void> {
  return async (job) => {
    await deps.db.transaction().execute(async (trx) => {
      const sending = await lockReferralForSending(trx, job.referralId);
      if (!sending) {
        deps.log.info('referral not mailed: sent already, or not re-wrapped for the current committee key', {
          caseId: job.caseId,
          referralId: job.referralId,
        });
        return;
      }
      await deps.mailer.send(await referralMail(deps.config, sending)).catch((error: unknown) => {
        const e = error as { code?: string; responseCode?: number };
        deps.log.warn('referral not mailed yet; the queue retries it', {
          caseId: job.caseId,
          referralId: job.referralId,
          failure: e.code ?? 'error',
          responseCode: e.responseCode,
        });
        throw error;
      });
      await recordReferralSent(trx, sending);
    });
  };
}

/** The mail itself: headers in the clear carry the reference only. */
export async function referralMail(config: Config, sending: ReferralSending) {
  const n = sending.messages.length;
  const parts = await Promise.all(
    sending.messages.map((m, index) =>
      pgpMimePart(m.armored, `${sending.reference}-${String(index + 1).padStart(3, '0')}-${m.role}.asc`),
    ),
  );
  const text = [
    `The ${config.projectName} approvers refer the Code of Conduct case ${sending.reference} to the CNCF Code of Conduct Committee.`,
    '',
    `This mail carries ${n} message${n === 1 ? '' : 's'} of the case, oldest first, each as its own PGP/MIME part encrypted to the committee's key ${sending.committeeFingerprint}.`,
    'Your mail program decrypts them; or save each part and run: gpg --decrypt FILE',
    '',
    'Nothing of the case is in this mail in the clear.',
  ].join('\r\n');
  return {
    from: config.mail.from,
    to: sending.committeeEmail,
    subject: `[${config.projectName}] Code of Conduct case ${sending.reference}: referral to the CNCF CoC Committee`,
    text,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    attachments: parts.map((raw) => ({ raw })),
  };
}
