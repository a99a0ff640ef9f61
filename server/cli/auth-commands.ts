import type { Command } from 'commander';
import { inviteMember, resetMemberAuth, type IssuedInvitation } from '../auth/invitations';
import type { CliContext } from './cli-context';
import { withDatabase } from './with-database';

export interface AuthCommandDeps {
  /**
   * Mails the invitation to the member as well (outbound mail plugs in here). Without it the
   * operator passes the printed link on by a channel they trust.
   */
  mailInvite?: (invitation: IssuedInvitation) => Promise<'mailed' | 'no-relay'>;
}

/** `intake member invite` and `intake member reset-auth`; call after registerMemberCommands. */
export function registerAuthCommands(program: Command, context: CliContext, deps: AuthCommandDeps = {}): void {
  const member = program.commands.find((c) => c.name() === 'member') ?? program.command('member');

  member
    .command('invite <email>')
    .description(
      'Print a one-time link (valid 72 hours) with which the member sets a password and an authenticator; replaces any earlier link',
    )
    .action(async (email: string) => {
      const { publicUrl } = context.config();
      console.error(`Links use ${context.setting('PUBLIC_URL', publicUrl)}.`);
      const invitation = await withDatabase(context, (db) => inviteMember(db, email, { publicUrl }));
      await deliver(invitation, deps);
    });

  member
    .command('reset-auth <email>')
    .description(
      "For a lost password or device: forget the member's password, authenticator and recovery codes, end all its sessions, and print a new invitation link",
    )
    .action(async (email: string) => {
      const { publicUrl } = context.config();
      const reset = await withDatabase(context, (db) => resetMemberAuth(db, email, { publicUrl }));
      console.error(
        `Signing in was reset for ${reset.name} <${reset.email}>: password, authenticator and recovery codes are gone, ` +
          `${reset.sessionsEnded} session${reset.sessionsEnded === 1 ? '' : 's'} ended.`,
      );
      await deliver(reset, deps);
    });
}

async function deliver(invitation: IssuedInvitation, deps: AuthCommandDeps): Promise<void> {
  // The link on stdout alone, so that it can be piped; the explanation on stderr.
  console.error(
    `${invitation.purpose === 'reset' ? 'New sign-in link' : 'Invitation'} for ${invitation.name} <${invitation.email}>, valid until ${invitation.expiresAt.toISOString()} (72 hours), usable once. ` +
      'Anyone with this link can set up signing in as this member: pass it on privately.',
  );
  console.log(invitation.link);
  if (deps.mailInvite && (await deps.mailInvite(invitation)) === 'mailed')
    console.error(`Also mailed to ${invitation.email}.`);
}
