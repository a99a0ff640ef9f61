// Mails one invitee's copy of a closed meeting (a pg-boss job of ids): METHOD:REQUEST while they are
// invited, METHOD:CANCEL once the meeting is cancelled or they were removed (never anything to one
// removed before a first mail). The copy is locked while it is sent and marked with the SEQUENCE
// mailed, so that a retried job or a second instance mails it once; a relay failure rolls back.
import path from 'node:path';
import nunjucks from 'nunjucks';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { lockInviteeForMailing, recordMailed, type InviteeMailing } from '../../db/meeting-mail.queries';
import { caseReaderIds } from '../../db/mail-settings.queries';
import type { Config } from '../config';
import type { Logger } from '../log';
import { MAIL_TEMPLATES_DIR } from './compose';
import { meetingIcs, meetingSummary } from './meeting-ics';
import type { MeetingJob } from './queue';
import type { Mailer, OutgoingMail } from './transport';

export function createMeetingSender(deps: {
  db: Kysely<Database>;
  mailer: Mailer;
  config: Config;
  log: Logger;
  templatesDir?: string;
}): (job: MeetingJob) => Promise<void> {
  const templates = new nunjucks.Environment(new nunjucks.FileSystemLoader(deps.templatesDir ?? MAIL_TEMPLATES_DIR), {
    autoescape: false,
  });
  return async (job) => {
    await deps.db.transaction().execute(async (trx) => {
      const copy = await lockInviteeForMailing(trx, job.meetingId, job.memberId);
      if (!copy || (copy.invitee.mailedSequence !== null && copy.invitee.mailedSequence >= copy.invitee.sequence))
        return;
      const invited = copy.invitee.removedAt === null && copy.meeting.cancelledAt === null;
      if (!invited && copy.invitee.mailedSequence === null) {
        // Removed before anything went to them: they never hear of it.
        await recordMailed(trx, job.meetingId, job.memberId, copy.invitee.sequence);
        return;
      }
      const reader = (await caseReaderIds(trx, copy.meeting.caseId)).includes(job.memberId);
      await deps.mailer.send(meetingMail(deps.config, templates, copy, invited, reader)).catch((error: unknown) => {
        const e = error as { code?: string; responseCode?: number };
        deps.log.warn('meeting mail not sent yet; the queue retries it', {
          meetingId: job.meetingId,
          failure: e.code ?? 'error',
          responseCode: e.responseCode,
        });
        throw error;
      });
      await recordMailed(trx, job.meetingId, job.memberId, copy.invitee.sequence);
    });
  };
}

/** The mail: a short text and the event, as nodemailer's icalEvent puts it (text/calendar alternative and .ics). */
export function meetingMail(
  config: Config,
  templates: nunjucks.Environment,
  copy: InviteeMailing,
  invited: boolean,
  reader: boolean,
): OutgoingMail {
  const { meeting, reference } = copy;
  const method = invited ? 'REQUEST' : 'CANCEL';
  const when = meeting.startsAt.toISOString().slice(0, 16).replace('T', ' ');
  const context = {
    projectName: config.projectName,
    name: copy.name,
    reference,
    when,
    durationMinutes: meeting.durationMinutes,
    link: meeting.link,
    moved: copy.invitee.mailedSequence !== null,
    removed: meeting.cancelledAt === null,
    security: copy.kind === 'security',
    reader,
    caseUrl: `${config.publicUrl}/dashboard/cases/${encodeURIComponent(reference)}`,
  };
  const summary = meetingSummary(reference);
  return {
    from: config.mail.from,
    to: copy.email,
    subject: `[${config.projectName}] ${invited ? (context.moved ? `Moved: ${summary}` : summary) : `Cancelled: ${summary}`}`,
    text: templates.render(invited ? 'meeting-invitation.txt.njk' : 'meeting-cancelled.txt.njk', context),
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    icalEvent: {
      method,
      filename: 'meeting.ics',
      content: meetingIcs({
        meetingId: meeting.id,
        reference,
        startsAt: meeting.startsAt,
        durationMinutes: meeting.durationMinutes,
        link: meeting.link,
        sequence: copy.invitee.sequence,
        method,
        organizer: config.mail.from,
        attendee: { name: copy.name, email: copy.email },
        projectName: config.projectName,
        publicUrl: config.publicUrl,
      }),
    },
  };
}
