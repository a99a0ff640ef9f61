import type { Command } from 'commander';
import { mailQueueCounts } from '../../db/mail-queue.queries';
import { setDeliverContent } from '../../db/mail-settings.queries';
import { findMemberByEmail } from '../../db/members.queries';
import { badInput, notFound } from '../errors';
import { createMailer } from '../mail/transport';
import { SEND_QUEUE } from '../mail/queue';
import type { CliContext } from './cli-context';
import { TEXT_LIMITS, checkText } from '../text-checks';
import { withDatabase } from './with-database';

export function registerMailCommands(program: Command, context: CliContext): void {
  const mail = program
    .command('mail')
    .description('Outbound mail: its state, a test message, and what members receive');

  mail
    .command('status')
    .description('Whether a relay is configured and how many notifications wait in the queue')
    .action(async () => {
      const config = context.config();
      const counts = await withDatabase(context, (db) => mailQueueCounts(db, SEND_QUEUE));
      const waiting = (counts.created ?? 0) + (counts.retry ?? 0) + (counts.active ?? 0);
      // Never the URL itself: it holds the relay's credentials.
      const relay = context.setting('SMTP_URL', config.mail.relayUrl ? 'set' : 'unset');
      console.log(
        config.mail.relayUrl
          ? `Relay: configured, ${relay}`
          : `Relay: none, ${relay}: notifications stay in the queue until one is configured`,
      );
      console.log(settingsFile(context));
      console.log(
        `Queue: ${waiting} waiting, ${counts.completed ?? 0} sent (kept a while), ${counts.failed ?? 0} given up`,
      );
      console.log(
        `Intake: ${config.mail.smtpPort === null ? 'off' : `SMTP on port ${config.mail.smtpPort}`} for ${[...config.mail.addresses.security, ...config.mail.addresses.coc].join(', ')}`,
      );
    });

  mail
    .command('test <address>')
    .description('Send a test message through the relay now (not queued)')
    .action(async (address: string) => {
      const config = context.config();
      const mailer = createMailer(config.mail);
      if (!mailer.configured)
        throw badInput('No relay is configured: set SMTP_URL (e.g. smtp://user:password@mail.example.org:587).');
      try {
        await mailer.send({
          from: config.mail.from,
          to: address,
          subject: `[${config.projectName}] Test message`,
          text: 'Outbound mail from the confidential intake works.\n',
        });
      } catch (error) {
        throw badInput(`The relay did not take the message: ${(error as Error).message}`);
      } finally {
        mailer.close();
      }
      console.log(`Sent to ${address}.`);
    });

  mail
    .command('content <email> <on|off>')
    .description(
      "Whether a member's notifications carry the case's messages, encrypted to the member's key (off by default)",
    )
    .action(async (email: string, value: string) => {
      if (value !== 'on' && value !== 'off') throw badInput('Say "on" or "off".');
      await withDatabase(context, async (db) => {
        const member = await findMemberByEmail(db, checkText(email, 'The e-mail', TEXT_LIMITS.email));
        if (!member) throw notFound(`No member has the e-mail ${email}.`);
        await setDeliverContent(db, member.id, value === 'on');
      });
      console.log(
        value === 'on'
          ? `${email} will receive the messages of new cases and new messages attached, encrypted to their key. Those copies stay in their mailbox whatever happens to the case here.`
          : `${email} will receive notifications without content.`,
      );
    });
}

/** Which env file the command read, so that the operator can tell it sees what the server sees. */
function settingsFile(context: CliContext): string {
  const file = context.environment().file;
  return file ? `Settings: ${file}, under the environment` : 'Settings: the environment only (no intake.env here)';
}
