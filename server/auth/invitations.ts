// The operator's side of signing in: invitation links, and the reset for a lost password or device.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { deleteCredentials, hasCredentials } from '../../db/credentials.queries';
import { replaceInvitation } from '../../db/invitations.queries';
import { deleteMemberSessions } from '../../db/member-sessions.queries';
import { findMemberByEmail } from '../../db/members.queries';
import { clearThrottle } from '../../db/sign-in-throttle.queries';
import { appendAudit, BY_OPERATOR } from '../audit/audit-log';
import { conflict, notFound } from '../errors';
import { TEXT_LIMITS, checkText } from '../text-checks';
import { accountHash, newToken, sha256 } from './secrets';
import { INVITATION_VALID_MS } from './settings';

export interface IssuedInvitation {
  memberId: string;
  name: string;
  email: string;
  /** The one-time link, `${publicUrl}/invite/<token>`. Shown to the operator (or mailed), never stored or logged. */
  link: string;
  expiresAt: Date;
  /** A first invitation, or a new way in after the operator reset the member's sign-in. */
  purpose: 'invitation' | 'reset';
}

export interface InvitationOptions {
  publicUrl: string;
  now?: Date;
}

/**
 * Sends a member a way in: a new one-time link valid for 72 hours, which replaces any earlier one.
 * Refused for a member who already signs in; `resetMemberAuth` is for a lost password or device.
 */
export async function inviteMember(
  db: Kysely<Database>,
  email: string,
  options: InvitationOptions,
): Promise<IssuedInvitation> {
  const member = await findMemberByEmail(db, checkText(email, 'The e-mail', TEXT_LIMITS.email));
  if (!member) throw notFound(`No member has the e-mail ${email}.`);
  if (await hasCredentials(db, member.id)) {
    throw conflict(
      `${member.email} has already set up signing in. For a lost password or authenticator, use: intake member reset-auth ${member.email}`,
    );
  }
  return db.transaction().execute(async (trx) => {
    const invitation = await issueInvitation(trx, member, options, 'invitation');
    await appendAudit(trx, {
      ...BY_OPERATOR,
      action: 'member.invited',
      details: { memberId: member.id, expiresAt: invitation.expiresAt.toISOString() },
    });
    return invitation;
  });
}

/**
 * For a lost device or password: forgets the member's password, TOTP secret and recovery codes,
 * ends every session, and issues a new invitation, all at once.
 */
export async function resetMemberAuth(
  db: Kysely<Database>,
  email: string,
  options: InvitationOptions,
): Promise<IssuedInvitation & { sessionsEnded: number }> {
  const member = await findMemberByEmail(db, checkText(email, 'The e-mail', TEXT_LIMITS.email));
  if (!member) throw notFound(`No member has the e-mail ${email}.`);
  return db.transaction().execute(async (trx) => {
    await deleteCredentials(trx, member.id);
    const sessionsEnded = await deleteMemberSessions(trx, member.id);
    await clearThrottle(trx, accountHash(member.email));
    const invitation = await issueInvitation(trx, member, options, 'reset');
    const details = { memberId: member.id, sessionsEnded, expiresAt: invitation.expiresAt.toISOString() };
    await appendAudit(trx, { ...BY_OPERATOR, action: 'member.auth-reset', details });
    return { ...invitation, sessionsEnded };
  });
}

async function issueInvitation(
  db: Kysely<Database>,
  member: { id: string; name: string; email: string },
  options: InvitationOptions,
  purpose: IssuedInvitation['purpose'],
): Promise<IssuedInvitation> {
  const token = newToken();
  const expiresAt = new Date((options.now ?? new Date()).getTime() + INVITATION_VALID_MS);
  await replaceInvitation(db, member.id, sha256(token), expiresAt);
  return {
    memberId: member.id,
    name: member.name,
    email: member.email,
    link: `${options.publicUrl}/invite/${token}`,
    expiresAt,
    purpose,
  };
}
