// Signing in: e-mail, password, and an authenticator code or a recovery code.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { consumeRecoveryCode, findSignInSecrets, recordTotpStep, updatePasswordHash } from '../../db/credentials.queries';
import { clearThrottle, deleteStaleThrottleRows, lockThrottleRow, saveThrottleRow } from '../../db/sign-in-throttle.queries';
import { AccountLockedError, SignInFailedError } from './errors';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './passwords';
import { accountHash, normalizeRecoveryCode, normalizeTotpCode, recoveryCodeHash } from './secrets';
import { startSession } from './sessions';
import type { AuthSettings } from './settings';
import { reserveAttempt } from './throttle';
import { acceptedTotpStep, DUMMY_TOTP_SECRET } from './totp';

export interface SignInInput {
  email: string;
  password: string;
  /** Six digits from the authenticator app, or a recovery code. */
  code: string;
}

export interface SignedIn {
  memberId: string;
  /** The new session's token, for the cookie only. */
  sessionToken: string;
  usedRecoveryCode: boolean;
}

// Stands in for the member id when the password was wrong, so that the same queries run either way.
const NO_MEMBER = '00000000-0000-0000-0000-000000000000';

/**
 * Checks the credentials and starts a new session, ending `previousToken`'s. Every failure throws the
 * same SignInFailedError, and costs the same work (one argon2 verification, one code check, one
 * query), whether the e-mail is unknown, the password wrong or the code wrong. Per account (by
 * e-mail, known or not) `maxFailures` failures within the window lock signing in: AccountLockedError.
 */
export async function signIn(db: Kysely<Database>, input: SignInInput, settings: AuthSettings, previousToken?: string): Promise<SignedIn> {
  const now = settings.now();
  const account = accountHash(input.email);
  const reserved = await db.transaction().execute(async (trx) => {
    const decision = reserveAttempt(await lockThrottleRow(trx, account, now), now, settings.throttle);
    if (decision.allowed) await saveThrottleRow(trx, account, decision.next);
    return decision;
  });
  if (!reserved.allowed) throw new AccountLockedError(reserved.lockedUntil, now);

  const secrets = await findSignInSecrets(db, input.email);
  const passwordRight = await verifyPassword(secrets?.passwordHash ?? (await dummyPasswordHash(settings.passwordCost)), input.password);
  const memberId = secrets && passwordRight ? secrets.memberId : NO_MEMBER;

  let secondFactorRight = false;
  const totpCode = normalizeTotpCode(input.code);
  const recoveryCode = totpCode === null ? normalizeRecoveryCode(input.code) : null;
  if (totpCode !== null) {
    const step = await acceptedTotpStep(secrets?.totpSecret ?? DUMMY_TOTP_SECRET, totpCode, now, secrets?.totpLastStep ?? null);
    // Recorded atomically: of two requests with one code, only the first gets in.
    secondFactorRight = step !== null && (await recordTotpStep(db, memberId, step));
  } else if (recoveryCode !== null) {
    secondFactorRight = await consumeRecoveryCode(db, memberId, recoveryCodeHash(recoveryCode));
  }

  if (!secrets || !passwordRight || !secondFactorRight) {
    if (reserved.next.lockedUntil) throw new AccountLockedError(reserved.next.lockedUntil, now);
    throw new SignInFailedError();
  }

  await clearThrottle(db, account);
  await deleteStaleThrottleRows(db, new Date(now.getTime() - settings.throttle.windowMs - settings.throttle.lockoutMs));
  if (needsRehash(secrets.passwordHash, settings.passwordCost)) {
    await updatePasswordHash(db, secrets.memberId, await hashPassword(input.password, settings.passwordCost));
  }
  const sessionToken = await startSession(db, secrets.memberId, settings, previousToken);
  return { memberId: secrets.memberId, sessionToken, usedRecoveryCode: recoveryCode !== null };
}
