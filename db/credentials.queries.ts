import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** What a sign-in checks. The only query that reads the password hash or the TOTP secret. */
export interface SignInSecrets {
  memberId: string;
  passwordHash: string;
  totpSecret: string;
  totpLastStep: number | null;
}

/**
 * The sign-in secrets of the member with this e-mail (case-insensitive), or undefined when there is
 * no such member or it has not finished enrolling. Callers must not log or return what it gives.
 */
export async function findSignInSecrets(db: Db, email: string): Promise<SignInSecrets | undefined> {
  const row = await db
    .selectFrom('members')
    .innerJoin('member_credentials', 'member_credentials.member_id', 'members.id')
    .select([
      'members.id',
      'member_credentials.password_hash',
      'member_credentials.totp_secret',
      'member_credentials.totp_last_step',
    ])
    .where((eb) => eb(eb.fn('lower', ['members.email']), '=', email.trim().toLowerCase()))
    .executeTakeFirst();
  return (
    row && {
      memberId: row.id,
      passwordHash: row.password_hash,
      totpSecret: row.totp_secret,
      totpLastStep: row.totp_last_step,
    }
  );
}

/** Whether the member has finished enrolling (password and TOTP set). */
export async function hasCredentials(db: Db, memberId: string): Promise<boolean> {
  const row = await db
    .selectFrom('member_credentials')
    .select('member_id')
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Sets (or replaces) the member's password hash and TOTP secret, and the TOTP step used to confirm it. */
export async function saveCredentials(
  db: Db,
  memberId: string,
  credentials: { passwordHash: string; totpSecret: string; totpLastStep: number },
): Promise<void> {
  const values = {
    password_hash: credentials.passwordHash,
    totp_secret: credentials.totpSecret,
    totp_last_step: credentials.totpLastStep,
  };
  await db
    .insertInto('member_credentials')
    .values({ member_id: memberId, ...values })
    .onConflict((oc) => oc.column('member_id').doUpdateSet(values))
    .execute();
}

export async function updatePasswordHash(db: Db, memberId: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('member_credentials')
    .set({ password_hash: passwordHash })
    .where('member_id', '=', memberId)
    .execute();
}

/**
 * Records that the TOTP code of time step `step` was used. Returns false when that step (or a later
 * one) was already used: a code seen once, even by a concurrent request, is never accepted again.
 */
export async function recordTotpStep(db: Db, memberId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('member_credentials')
    .set({ totp_last_step: step })
    .where('member_id', '=', memberId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Replaces the member's recovery codes with these SHA-256 hashes. */
export async function replaceRecoveryCodes(db: Db, memberId: string, codeHashes: Buffer[]): Promise<void> {
  await db.deleteFrom('recovery_codes').where('member_id', '=', memberId).execute();
  if (codeHashes.length > 0) {
    await db
      .insertInto('recovery_codes')
      .values(codeHashes.map((code_hash) => ({ member_id: memberId, code_hash })))
      .execute();
  }
}

/** Uses up one recovery code: true if it existed (and is now deleted), false otherwise. Single use even under concurrency. */
export async function consumeRecoveryCode(db: Db, memberId: string, codeHash: Buffer): Promise<boolean> {
  const result = await db
    .deleteFrom('recovery_codes')
    .where('member_id', '=', memberId)
    .where('code_hash', '=', codeHash)
    .executeTakeFirst();
  return result.numDeletedRows === 1n;
}

export async function countRecoveryCodes(db: Db, memberId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('member_id', '=', memberId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Forgets how the member signs in: password, TOTP secret and recovery codes. */
export async function deleteCredentials(db: Db, memberId: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('member_id', '=', memberId).execute();
  await db.deleteFrom('member_credentials').where('member_id', '=', memberId).execute();
}
