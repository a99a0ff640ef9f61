// Mail bodies from templates/mail: text (no escaping) and HTML (auto-escaped). Subjects carry the
// reference and the kind only, never anything a reporter wrote.
import path from 'node:path';
import nunjucks from 'nunjucks';
import type { CaseKind } from '../../db/database';
import type { Config } from '../config';
import { KIND_WORDS, messageLabels } from '../cases/case-words';

export const MAIL_TEMPLATES_DIR = path.resolve(__dirname, '../../templates/mail');

export type NotificationEvent =
  | 'case-routed'
  | 'new-message'
  | 'assigned'
  | 'overdue'
  | 'liaison-appointed'
  | 'embargo-reminder'
  | 'retention-warning';
export type DecisionNotice = 'proposed' | 'vote-called' | 'closed';

const MESSAGE_LABELS = messageLabels('mail');

export interface MailBody {
  subject: string;
  text: string;
  html?: string;
}

export interface MailTemplates {
  notification(event: NotificationEvent, values: NotificationValues): MailBody;
  acknowledgement(values: AcknowledgementValues): MailBody;
  invitation(values: { name: string; link: string; expiresAt: Date; purpose?: 'invitation' | 'reset' }): MailBody;
  /** A decision proposed, turned into a vote, or closed: the reference (null: the project) and the change, nothing of what it is about. */
  decision(change: DecisionNotice, values: { name: string; reference: string | null }): MailBody;
  /** The SRT's yearly review is due in a month, or overdue: the due date, nothing else. */
  srtReview(reminder: 'month-before' | 'overdue', values: { name: string; dueAt: Date }): MailBody;
}

export interface NotificationValues {
  name: string;
  reference: string;
  kind: CaseKind;
  status: string;
  messageRole?: string;
  contentAttached: boolean;
  /** The charter's days to acknowledge (server/governance/charter.ts); the configuration's when not given. */
  ackDays?: number;
  /** For embargo-reminder: the day the embargo ends and how many days ahead this is. */
  embargoOn?: string;
  daysBefore?: number;
  /** For retention-warning: the day the content is deleted on. */
  deleteOn?: Date;
}

export interface AcknowledgementValues {
  reference: string;
  kind: CaseKind;
  /** The intake address the report was sent to (the acknowledgement's From). */
  address: string;
  /** The case's reply address (the acknowledgement's Reply-To), or null. */
  replyAddress: string | null;
  /** Only when it may travel in this mail (see acknowledge.ts). */
  receipt: string | null;
  encrypted: boolean;
  /** The charter's days to acknowledge; the configuration's when not given. */
  ackDays?: number;
}

/** Renders from `dir` (templates/mail by default; tests may point elsewhere). */
export function createMailTemplates(config: Config, dir: string = MAIL_TEMPLATES_DIR): MailTemplates {
  const text = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), {
    autoescape: false,
    throwOnUndefined: false,
  });
  const html = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), {
    autoescape: true,
    throwOnUndefined: false,
  });
  const common = { projectName: config.projectName };
  const caseUrl = (reference: string) => `${config.publicUrl}/dashboard/cases/${encodeURIComponent(reference)}`;

  return {
    notification(event, values) {
      const subjects: Record<NotificationEvent, string> = {
        'case-routed': `New ${KIND_WORDS[values.kind].report} ${values.reference}`,
        'new-message': `New ${MESSAGE_LABELS[values.messageRole ?? ''] ?? 'message'} on ${values.reference}`,
        assigned: `${values.reference} is assigned to you`,
        overdue: `${values.reference} is overdue`,
        'liaison-appointed': `You are the liaison on ${values.reference}`,
        'embargo-reminder': `The embargo on ${values.reference} ends on ${values.embargoOn ?? 'its date'}`,
        'retention-warning': `The content of ${values.reference} will be deleted`,
      };
      const subject = `[${config.projectName}] ${subjects[event]}`;
      const context = {
        ...common,
        ...values,
        subject,
        kindLabel: KIND_WORDS[values.kind].report,
        messageLabel: MESSAGE_LABELS[values.messageRole ?? ''] ?? 'message',
        caseUrl: caseUrl(values.reference),
        ackDays: values.ackDays ?? config.acknowledgeDays[values.kind],
        deleteOn: values.deleteOn?.toUTCString(),
      };
      return {
        subject,
        text: text.render(`${event}.txt.njk`, context),
        html: html.render(`${event}.html.njk`, context),
      };
    },

    acknowledgement(values) {
      const subject = `Received: your ${KIND_WORDS[values.kind].report} ${values.reference}`;
      const context = {
        ...common,
        ...values,
        kindLabel: KIND_WORDS[values.kind].report,
        handlers: KIND_WORDS[values.kind].handlers,
        ackDays: values.ackDays ?? config.acknowledgeDays[values.kind],
        policyUrl: `${config.publicUrl}/security-policy`,
        followupUrl: `${config.publicUrl}/followup`,
        reportUrl: `${config.publicUrl}/report?kind=${values.kind}`,
      };
      return { subject, text: text.render('acknowledgement.txt.njk', context) };
    },

    decision(change, values) {
      const where = values.reference ?? 'the project';
      const subjects: Record<DecisionNotice, string> = {
        proposed: `A decision is proposed on ${where}`,
        'vote-called': `A vote is called on ${where}`,
        closed: `A decision on ${where} has closed`,
      };
      const subject = `[${config.projectName}] ${subjects[change]}`;
      const context = {
        ...common,
        name: values.name,
        subject,
        sentence: `${subjects[change]}.`,
        url: values.reference ? caseUrl(values.reference) : `${config.publicUrl}/dashboard/decisions`,
      };
      return {
        subject,
        text: text.render('decision.txt.njk', context),
        html: html.render('decision.html.njk', context),
      };
    },

    srtReview(reminder, values) {
      const due = values.dueAt.toISOString().slice(0, 10);
      const sentence =
        reminder === 'overdue'
          ? `The yearly review of the Security Response Team was due on ${due} and has not been recorded.`
          : `The yearly review of the Security Response Team is due on ${due}.`;
      const subject = `[${config.projectName}] The Security Response Team's review is ${reminder === 'overdue' ? 'overdue' : 'due soon'}`;
      const context = { ...common, name: values.name, subject, sentence, url: `${config.publicUrl}/dashboard/srt` };
      return {
        subject,
        text: text.render('srt-review.txt.njk', context),
        html: html.render('srt-review.html.njk', context),
      };
    },

    invitation(values) {
      const reset = values.purpose === 'reset';
      const subject = reset
        ? `[${config.projectName}] Your sign-in to the confidential reports dashboard was reset`
        : `[${config.projectName}] Your invitation to the confidential reports dashboard`;
      return {
        subject,
        text: text.render('invitation.txt.njk', {
          ...common,
          ...values,
          reset,
          expires: values.expiresAt.toUTCString(),
        }),
      };
    },
  };
}
