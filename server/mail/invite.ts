// The invitation link of `intake member invite`, mailed once outbound mail exists. Sent at once
// from memory, never queued: the link is a credential and must not sit in the job table.
import type { Config } from '../config';
import { DomainError } from '../errors';
import { createMailTemplates } from './compose';
import { createMailer, type Mailer } from './transport';

export interface InvitationToMail {
  name: string;
  email: string;
  link: string;
  expiresAt: Date;
  /** After `intake member reset-auth` the mail says so, not "you are invited"; a first invitation by default. */
  purpose?: 'invitation' | 'reset';
}

/** Mails the link to the member through SMTP_URL; rejects with a DomainError when it could not be handed over. */
export async function sendInviteMail(
  config: Config,
  invitation: InvitationToMail,
  mailer: Mailer = createMailer(config.mail),
): Promise<void> {
  if (!mailer.configured)
    throw new DomainError('not-configured', 'The invitation was not mailed: no mail relay is configured (SMTP_URL).');
  const body = createMailTemplates(config).invitation(invitation);
  try {
    await mailer.send({
      from: config.mail.from,
      to: invitation.email,
      subject: body.subject,
      text: body.text,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  } catch (error) {
    throw new DomainError(
      'not-configured',
      `The invitation was not mailed (the relay said: ${(error as Error).message}). Pass the link above on yourself.`,
      { cause: error },
    );
  } finally {
    mailer.close();
  }
}

/**
 * For `registerAuthCommands(program, context, { mailInvite })`: mails invitations when a relay is
 * configured (SMTP_URL); without one the CLI only prints the link.
 */
export function inviteMailer(config: () => Config): (invitation: InvitationToMail) => Promise<'mailed' | 'no-relay'> {
  return async (invitation) => {
    if (!config().mail.relayUrl) return 'no-relay';
    await sendInviteMail(config(), invitation);
    return 'mailed';
  };
}
