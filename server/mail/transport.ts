// The outside mail relay, wrapped so that the rest of the code (and tests) see one small interface.
import nodemailer from 'nodemailer';
import type { MailConfig } from './mail-config';

/** One outgoing message. `raw` replaces the whole message (PGP/MIME built by hand). */
export interface OutgoingMail {
  from: string;
  to: string;
  subject?: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  attachments?: { raw: string }[];
  inReplyTo?: string;
  references?: string;
  messageId?: string;
  raw?: string;
  /** An iCalendar invitation: nodemailer sends it as a text/calendar alternative and as an .ics attachment. */
  icalEvent?: { method: string; filename: string; content: string };
}

export interface Mailer {
  /** false: no SMTP_URL; nothing can be sent (queued mail waits). */
  readonly configured: boolean;
  /** Hands the message to the relay; rejects when the relay refuses or cannot be reached. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * A nodemailer transport to SMTP_URL. Short timeouts: a relay that hangs must fail the job so that
 * the queue retries later, not hold a worker. Nothing about the message is logged here.
 */
export function createMailer(config: Pick<MailConfig, 'relayUrl'>): Mailer {
  if (config.relayUrl === null) {
    return {
      configured: false,
      send: async () => {
        throw new Error('No mail relay is configured (SMTP_URL).');
      },
      close: () => undefined,
    };
  }
  const transport = nodemailer.createTransport(config.relayUrl, {
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    logger: false,
    debug: false,
  } as never);
  return {
    configured: true,
    send: async (mail) => {
      if (mail.raw !== undefined) {
        await transport.sendMail({ envelope: { from: envelopeAddress(mail.from), to: [mail.to] }, raw: mail.raw });
        return;
      }
      await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        attachments: mail.attachments,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        messageId: mail.messageId,
        icalEvent: mail.icalEvent,
      });
    },
    close: () => transport.close(),
  };
}

/** The bare address of a From value such as `"Kmesh" <noreply@example.org>`. */
export function envelopeAddress(from: string): string {
  const match = /<([^>]+)>\s*$/.exec(from);
  return (match ? match[1]! : from).trim();
}
