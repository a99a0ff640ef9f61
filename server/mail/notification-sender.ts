// Sends one queued notification. Runs in whichever instance fetched the job; throws to have the
// queue retry it later (relay down), returns to drop it (the member is no longer a reader).
import { responseTargets } from '../governance/charter';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { messagesForMember } from '../../db/cases.queries';
import { messageRole, notificationTarget, type NotificationTarget } from '../../db/mail-settings.queries';
import { assembleMessage } from '../../crypto/split-message';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { MailTemplates } from './compose';
import { pgpMimePart } from './pgp-mime';
import type { CaseNotificationJob, DecisionNotificationJob, NotificationJob, SrtReviewJob } from './queue';
import { decisionNoticeTarget } from '../../db/decision-people.queries';
import { approverTarget } from '../../db/srt.queries';
import { electorateOf } from '../governance/decision-settle';
import type { Mailer } from './transport';
import { currentEmbargoDay } from '../../db/distributors.queries';

/** Encrypted content attached to one notification, at most (relays commonly refuse mail above 25 MB). */
const CONTENT_LIMIT_BYTES = 10 * 1024 * 1024;

export function createNotificationSender(deps: {
  db: Kysely<Database>;
  mailer: Mailer;
  templates: MailTemplates;
  config: Config;
  log: Logger;
}): (job: NotificationJob) => Promise<void> {
  const send = (to: string, body: { subject: string; text: string; html?: string }, parts: string[], what: object) =>
    deps.mailer
      .send({
        from: deps.config.mail.from,
        to,
        subject: body.subject,
        text: body.text,
        html: body.html,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        attachments: parts.map((raw) => ({ raw })),
      })
      .catch((error: unknown) => {
        // The queue retries with back-off; the log names the failure, not the recipient (relays quote it).
        const e = error as { code?: string; responseCode?: number };
        deps.log.warn('notification not sent yet; the queue retries it', {
          ...what,
          failure: e.code ?? 'error',
          responseCode: e.responseCode,
        });
        throw error;
      });

  /** Only to a member who may vote on it now: never to one conflicted, removed, or no longer a reader. */
  const sendDecision = async (job: DecisionNotificationJob) => {
    const target = await decisionNoticeTarget(deps.db, job.proposalId, job.memberId);
    if (!target || !(await electorateOf(deps.db, target.caseId)).eligible.has(job.memberId)) {
      deps.log.info('notification dropped: the member may not vote on this decision (any more)', {
        event: job.event,
        proposalId: job.proposalId,
      });
      return;
    }
    const body = deps.templates.decision(job.change, { name: target.name, reference: target.reference });
    await send(target.email, body, [], { event: job.event, proposalId: job.proposalId });
  };

  /** Only to a member who is an approver when it is sent. */
  const sendSrtReview = async (job: SrtReviewJob) => {
    const target = await approverTarget(deps.db, job.memberId);
    if (!target) {
      deps.log.info('notification dropped: the member is not an approver (any more)', { event: job.event });
      return;
    }
    const body = deps.templates.srtReview(job.reminder, { name: target.name, dueAt: new Date(job.dueAt) });
    await send(target.email, body, [], { event: job.event, reminder: job.reminder });
  };

  return async (job) => {
    if (job.event === 'decision') return sendDecision(job);
    if (job.event === 'srt-review') return sendSrtReview(job);
    const target = await notificationTarget(deps.db, job.caseId, job.memberId);
    if (!target) {
      deps.log.info('notification dropped: the member does not read this case (any more)', {
        event: job.event,
        caseId: job.caseId,
      });
      return;
    }
    if (job.event === 'embargo-reminder' && (await currentEmbargoDay(deps.db, job.caseId)) !== job.embargoOn) {
      deps.log.info('notification dropped: the embargo date changed since', { event: job.event, caseId: job.caseId });
      return;
    }
    const parts = target.deliverContent ? await contentParts(deps.db, target, job) : [];
    const role = job.messageId ? await messageRole(deps.db, job.caseId, job.messageId) : undefined;
    const body = deps.templates.notification(job.event, {
      name: target.name,
      reference: target.reference,
      kind: target.kind,
      status: target.status,
      messageRole: role,
      contentAttached: parts.length > 0,
      ackDays: (await responseTargets(deps.db, deps.config)).acknowledgeDays[target.kind],
      embargoOn: job.embargoOn,
      daysBefore: job.daysBefore,
      deleteOn: job.deleteOn ? new Date(job.deleteOn) : undefined,
    });
    await send(target.email, body, parts, { event: job.event, caseId: job.caseId });
  };
}

/**
 * The member's own copy of the case's messages, as PGP/MIME parts: its stored session-key packet +
 * the body, already encrypted to its key. The server decrypts nothing here.
 */
async function contentParts(
  db: Kysely<Database>,
  target: NotificationTarget,
  job: CaseNotificationJob,
): Promise<string[]> {
  if (job.event !== 'case-routed' && job.event !== 'new-message') return [];
  const messages = (await messagesForMember(db, target.caseId, target.memberId)).filter((m) =>
    job.event === 'new-message' ? m.id === job.messageId : m.role === 'report' || m.role === 'attachment',
  );
  const parts: string[] = [];
  let total = 0;
  for (const [index, message] of messages.entries()) {
    const armored = await assembleMessage(message.packet, message.body);
    if (total + armored.length > CONTENT_LIMIT_BYTES) break;
    total += armored.length;
    parts.push(
      await pgpMimePart(armored, `${target.reference}-${String(index + 1).padStart(2, '0')}-${message.role}.asc`),
    );
  }
  return parts;
}
