import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, MemberRole } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** An invitation that can still be followed, with the member it is for. No secret column but the TOTP secret being enrolled. */
export interface OpenInvitationRow {
  memberId: string;
  name: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
  passwordChosen: boolean;
  /** The TOTP secret shown to the member while enrolling; null until a password is chosen. */
  pendingTotpSecret: string | null;
}

/**
 * Makes `tokenHash` the member's one open invitation, replacing (and so invalidating) any earlier
 * one and its enrolment progress. Only the SHA-256 of the token is stored.
 */
export async function replaceInvitation(db: Db, memberId: string, tokenHash: Buffer, expiresAt: Date): Promise<void> {
  await db
    .insertInto('invitations')
    .values({
      member_id: memberId,
      token_hash: tokenHash,
      expires_at: expiresAt,
      pending_password_hash: null,
      pending_totp_secret: null,
    })
    .onConflict((oc) =>
      oc.column('member_id').doUpdateSet({
        token_hash: tokenHash,
        expires_at: expiresAt,
        pending_password_hash: null,
        pending_totp_secret: null,
      }),
    )
    .execute();
}

/** The unexpired invitation whose token hashes to `tokenHash`, or undefined. */
export async function findOpenInvitation(db: Db, tokenHash: Buffer, now: Date): Promise<OpenInvitationRow | undefined> {
  const row = await db
    .selectFrom('invitations')
    .innerJoin('members', 'members.id', 'invitations.member_id')
    .select([
      'invitations.member_id',
      'members.name',
      'members.email',
      'members.role',
      'invitations.expires_at',
      'invitations.pending_totp_secret',
      sql<boolean>`invitations.pending_password_hash IS NOT NULL`.as('password_chosen'),
    ])
    .where('invitations.token_hash', '=', tokenHash)
    .where('invitations.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    memberId: row.member_id,
    name: row.name,
    email: row.email,
    role: row.role,
    expiresAt: row.expires_at,
    passwordChosen: row.password_chosen,
    pendingTotpSecret: row.pending_totp_secret,
  };
}

/**
 * Locks an unexpired invitation for the last step of enrolment and returns what the member chose.
 * Needs a transaction: two confirmations of one invitation must not both succeed.
 */
export async function lockOpenInvitation(
  trx: Transaction<Database>,
  tokenHash: Buffer,
  now: Date,
): Promise<{ memberId: string; pendingPasswordHash: string | null; pendingTotpSecret: string | null } | undefined> {
  const row = await trx
    .selectFrom('invitations')
    .select(['member_id', 'pending_password_hash', 'pending_totp_secret'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .forUpdate()
    .executeTakeFirst();
  return (
    row && {
      memberId: row.member_id,
      pendingPasswordHash: row.pending_password_hash,
      pendingTotpSecret: row.pending_totp_secret,
    }
  );
}

/** Records the password the member chose (as its argon2id hash) and the TOTP secret to enrol next. */
export async function setInvitationProgress(
  db: Db,
  memberId: string,
  passwordHash: string,
  totpSecret: string,
): Promise<void> {
  await db
    .updateTable('invitations')
    .set({ pending_password_hash: passwordHash, pending_totp_secret: totpSecret })
    .where('member_id', '=', memberId)
    .execute();
}

export async function deleteInvitation(db: Db, memberId: string): Promise<void> {
  await db.deleteFrom('invitations').where('member_id', '=', memberId).execute();
}
