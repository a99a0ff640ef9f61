// Mails a notice to the CNCF CoC Committee's central record (issue 11 §4): one RFC 3156 PGP/MIME
// message whose body is the notice the reader's browser encrypted to the committee's key; the
// headers in the clear carry the case reference and the stage only. The notice row is locked for the
// whole sending, so that with two instances (or a retried job) it is mailed and recorded once; its
// ciphertext is dropped when recorded sent. A failure to send rolls back and the queue retries.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { Config } from '../config';
import { lockNoticeForSending, recordNoticeSent, type NoticeSending } from '../governance/cncf-notices';
import type { Logger } from '../log';
import { pgpMimeMessage } from './pgp-mime';
import type { CncfNoticeJob } from './queue';
import type { Mailer } from './transport';

export function createCncfNoticeSender(deps: {
  db: Kysely<Database>;
  mailer: Mailer;
  config: Config;
  log: Logger;
}): (job: CncfNoticeJob) => Promise<void> {
  return async (job) => {
    await deps.db.transaction().execute(async (trx) => {
      const sending = await lockNoticeForSending(trx, job.noticeId);
      if (!sending) {
        deps.log.info('CNCF notice not mailed: sent already, or written to a key that is no longer the committee’s', {
          caseId: job.caseId,
          noticeId: job.noticeId,
        });
        return;
      }
      await deps.mailer.send(await cncfNoticeMail(deps.config, sending)).catch((error: unknown) => {
        const e = error as { code?: string; responseCode?: number };
        deps.log.warn('CNCF notice not mailed yet; the queue retries it', {
          caseId: job.caseId,
          noticeId: job.noticeId,
          failure: e.code ?? 'error',
          responseCode: e.responseCode,
        });
        throw error;
      });
      await recordNoticeSent(trx, sending);
    });
  };
}

export const NOTICE_SUBJECT = {
  incident: 'incident notice',
  resolution: 'resolution notice',
} as const;

export async function cncfNoticeMail(config: Config, sending: NoticeSending) {
  const subject = `[${config.projectName}] Code of Conduct case ${sending.reference}: ${NOTICE_SUBJECT[sending.stage]} for the CNCF central record`;
  return {
    from: config.mail.from,
    to: sending.committeeEmail,
    raw: await pgpMimeMessage({
      from: config.mail.from,
      to: sending.committeeEmail,
      subject,
      armored: sending.armored,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    }),
  };
}
