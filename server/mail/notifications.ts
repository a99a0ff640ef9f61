/**
 * Mail notifications about cases: the CaseEvents (server/cases/case-events.ts) that the report paths,
 * the dashboard and the follow-up page call after their transaction commits.
 *
 *   caseStored(caseId)             a new case was routed → every reader
 *   messageAdded(caseId, authorId) a comment, reply or reporter message → every reader but the author
 *   assigned(caseId, assigneeId)   → the assignee (if a reader)
 *   overdue(caseId)                a response-time clock ran out → every reader, at most once a day
 *   liaisonAppointed(caseId, id)   a decision appointed a liaison → that liaison (if a reader)
 *   decisionChanged(proposalId, c) a decision proposed, turned into a vote, or closed → the approvers
 *                                  who may vote on it now (on a case: its readers without a conflict)
 *   referralReady(caseId, id)      a referral's messages are re-wrapped → one mail to the CNCF CoC Committee
 *   meetingChanged(meetingId)      a closed meeting called, moved, cancelled → each invitee whose copy changed
 *   cncfNoticeReady(caseId, id)    a notice to the CNCF central record was written → one mail to the committee
 *   embargoReminder(caseId, d, n)  the embargo ends on d, n days from now → every reader, once per day and lead
 *   distributorSending(caseId, id) a reader encrypted the advisory to a distributor → one mail to it
 *   retentionWarning(caseId, date) the content goes on that date → every reader, once per date
 *
 * Each call enqueues one pg-boss job per recipient (ids only) and returns; it never throws, so a
 * notification can never fail the action that caused it. Recipients are the case's readers
 * (case_readers) and nobody else: an excluded approver is never told a case exists. The sender
 * checks again when it sends. Job ids are derived from the event, so a repeated call (a retry,
 * two instances sweeping overdue cases) does not mail twice.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Database } from '../../db/database';
import { caseReaderIds, latestMessage } from '../../db/mail-settings.queries';
import type { CaseEvents } from '../cases/case-events';
import type { Logger } from '../log';
import { findProposal } from '../../db/proposals.queries';
import { unmailedInvitees } from '../../db/meeting-mail.queries';
import { approverIds } from '../../db/decision-people.queries';
import { electorateOf } from '../governance/decision-settle';
import { DECISION_EFFECTS } from '../governance/decision-effects';
import { SEND_QUEUE, type MailJob } from './queue';

export function createMailNotifications(deps: {
  db: Kysely<Database>;
  boss: PgBoss;
  log: Logger;
  now?: () => Date;
}): CaseEvents {
  const now = deps.now ?? (() => new Date());

  const enqueue = async (
    what: string,
    caseId: string | null,
    build: () => Promise<{ key: string; job: MailJob }[]>,
  ) => {
    try {
      const jobs = await build();
      if (jobs.length === 0) return;
      await deps.boss.insert(jobs.map(({ key, job }) => ({ id: jobId(key), name: SEND_QUEUE, data: job })));
    } catch (error) {
      deps.log.error('could not queue a notification', { event: what, caseId, error });
    }
  };

  const events: CaseEvents = {
    // The readers the case was stored with (in the same statement as the case) need no reading back.
    caseStored: (caseId, readerIds) =>
      enqueue('case-routed', caseId, async () =>
        (readerIds ?? (await caseReaderIds(deps.db, caseId))).map((memberId) => ({
          key: `case-routed|${caseId}|${memberId}`,
          job: { event: 'case-routed', caseId, memberId },
        })),
      ),

    messageAdded: (caseId, authorMemberId) =>
      enqueue('new-message', caseId, async () => {
        const message = await latestMessage(deps.db, caseId);
        if (!message) return [];
        return (await caseReaderIds(deps.db, caseId))
          .filter((memberId) => memberId !== authorMemberId)
          .map((memberId) => ({
            key: `new-message|${message.id}|${memberId}`,
            job: { event: 'new-message', caseId, memberId, messageId: message.id },
          }));
      }),

    assigned: (caseId, assigneeId) =>
      enqueue('assigned', caseId, async () => [
        // Per minute: a double submission mails once; a later re-assignment mails again.
        {
          key: `assigned|${caseId}|${assigneeId}|${Math.floor(now().getTime() / 60_000)}`,
          job: { event: 'assigned', caseId, memberId: assigneeId },
        },
      ]),

    overdue: (caseId) =>
      enqueue('overdue', caseId, async () => {
        const day = now().toISOString().slice(0, 10);
        return (await caseReaderIds(deps.db, caseId)).map((memberId) => ({
          key: `overdue|${caseId}|${memberId}|${day}`,
          job: { event: 'overdue', caseId, memberId },
        }));
      }),

    liaisonAppointed: (caseId, memberId) =>
      enqueue('liaison-appointed', caseId, async () => [
        // Per minute, like an assignment: a retried decision mails once, a later appointment again.
        {
          key: `liaison-appointed|${caseId}|${memberId}|${Math.floor(now().getTime() / 60_000)}`,
          job: { event: 'liaison-appointed', caseId, memberId },
        },
      ]),
    decisionChanged: async (proposalId, change) => {
      await enqueue(`decision-${change}`, null, async () => {
        const proposal = await findProposal(deps.db, proposalId);
        if (!proposal) return [];
        const { eligible } = await electorateOf(deps.db, proposal.caseId);
        return [...eligible].sort().map((memberId) => ({
          key: `decision-${change}|${proposalId}|${memberId}`,
          job: { event: 'decision', change, proposalId, memberId },
        }));
      });
      // What a passed decision tells besides its outcome (a liaison appointed is mailed): once it committed.
      if (change !== 'closed') return;
      const proposal = await findProposal(deps.db, proposalId).catch(() => undefined);
      if (proposal?.status === 'passed') await DECISION_EFFECTS[proposal.kind].afterCommit?.(events, proposal);
    },
    // Once per referral: the sender locks the referral and sends it once, whoever enqueued it.
    referralReady: (caseId, referralId) =>
      enqueue('committee-referral', caseId, async () => [
        { key: `committee-referral|${referralId}`, job: { event: 'committee-referral', caseId, referralId } },
      ]),
    // One job per changed copy of the event: a repeated call (the sweep in background.ts) does not mail twice.
    meetingChanged: (meetingId) =>
      enqueue('meeting', null, async () =>
        (await unmailedInvitees(deps.db, { meetingId })).map((u) => ({
          key: `meeting|${meetingId}|${u.memberId}|${u.sequence}`,
          job: { event: 'meeting', meetingId, memberId: u.memberId },
        })),
      ),
    // Per notice and writing: a notice written again (to a new key) is a new job; the sender sends each once.
    cncfNoticeReady: (caseId, noticeId) =>
      enqueue('cncf-notice', caseId, async () => [
        {
          key: `cncf-notice|${noticeId}|${Math.floor(now().getTime() / 60_000)}`,
          job: { event: 'cncf-notice', caseId, noticeId },
        },
      ]),
    embargoReminder: (caseId, embargoOn, daysBefore) =>
      enqueue('embargo-reminder', caseId, async () =>
        (await caseReaderIds(deps.db, caseId)).map((memberId) => ({
          key: `embargo-reminder|${caseId}|${embargoOn}|${daysBefore}|${memberId}`,
          job: { event: 'embargo-reminder', caseId, memberId, embargoOn, daysBefore },
        })),
      ),
    // Once per sending: the sender locks it, mails it once and forgets its ciphertext.
    distributorSending: (caseId, sendingId) =>
      enqueue('distributor-sending', caseId, async () => [
        { key: `distributor-sending|${sendingId}`, job: { event: 'distributor-sending', caseId, sendingId } },
      ]),
    retentionWarning: (caseId, deleteOn) =>
      enqueue('retention-warning', caseId, async () =>
        (await caseReaderIds(deps.db, caseId)).map((memberId) => ({
          key: `retention-warning|${caseId}|${deleteOn.toISOString()}|${memberId}`,
          job: { event: 'retention-warning', caseId, memberId, deleteOn: deleteOn.toISOString() },
        })),
      ),
    // Per due date and reminder: a second instance, or a retry, enqueues the same job ids.
    srtReviewReminder: (reminder, dueAt) =>
      enqueue('srt-review', null, async () =>
        (await approverIds(deps.db)).map((memberId) => ({
          key: `srt-review|${reminder}|${dueAt.toISOString()}|${memberId}`,
          job: { event: 'srt-review', reminder, dueAt: dueAt.toISOString(), memberId },
        })),
      ),
  };
  return events;
}

/** A UUID derived from the event key (pg-boss ids are UUIDs; the insert ignores an id it has). */
function jobId(key: string): string {
  const hex = crypto.createHash('sha256').update(`intake-mail-v1|${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
