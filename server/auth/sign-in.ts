// Signing in: e-mail, password, and an authenticator code or a recovery code.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import {
  consumeRecoveryCode,
  findSignInSecrets,
  recordTotpStep,
  updatePasswordHash,
} from '../../db/credentials.queries';
import {
  clearClientThrottle,
  deleteStaleThrottleRows,
  findAccountThrottle,
  lockAccountThrottleRow,
  lockClientThrottleRow,
  saveAccountThrottleRow,
  saveClientThrottleRow,
} from '../../db/sign-in-throttle.queries';
import { AccountGuardedError, AccountLockedError, SecondFactorLockedError, SignInFailedError } from './errors';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './passwords';
import { accountClientHash, accountHash, normalizeRecoveryCode, normalizeTotpCode, recoveryCodeHash } from './secrets';
import { startSession } from './sessions';
import type { AuthSettings } from './settings';
import { countAccountFailure, isLocked, reserveAttempt } from './throttle';
import { acceptedTotpStep, DUMMY_TOTP_SECRET } from './totp';

export interface SignInInput {
  email: string;
  password: string;
  /** Six digits from the authenticator app, or a recovery code. */
  code: string;
  /** Who is trying: an opaque, stable key of the client's network address (never stored as such). */
  client: string;
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
 * Checks the credentials and starts a new session, ending `previousToken`'s. Every failure costs the
 * same work (one argon2 verification, one code check, the same queries) and gets the same answer
 * whether the e-mail is unknown, the password wrong or the code wrong. The lock-outs (./throttle.ts):
 * per account and client, AccountLockedError, refused before any check; per account, AccountGuardedError
 * for a failure while many have come from anywhere; SecondFactorLockedError only for the right password
 * and code while the account is closed after wrong codes typed with the right password.
 */
export async function signIn(
  db: Kysely<Database>,
  input: SignInInput,
  settings: AuthSettings,
  previousToken?: string,
): Promise<SignedIn> {
  const now = settings.now();
  const account = accountHash(input.email);
  const client = accountClientHash(account, input.client);
  const reserved = await db.transaction().execute(async (trx) => {
    const decision = reserveAttempt(await lockClientThrottleRow(trx, account, client, now), now, settings.throttle);
    if (decision.allowed) await saveClientThrottleRow(trx, account, client, decision.next);
    return decision;
  });
  if (!reserved.allowed) throw new AccountLockedError(reserved.lockedUntil, now);

  const secrets = await findSignInSecrets(db, input.email);
  const passwordRight = await verifyPassword(
    secrets?.passwordHash ?? (await dummyPasswordHash(settings.passwordCost)),
    input.password,
  );
  const memberId = secrets && passwordRight ? secrets.memberId : NO_MEMBER;

  const totpCode = normalizeTotpCode(input.code);
  const recoveryCode = totpCode === null ? normalizeRecoveryCode(input.code) : null;
  // In a transaction so that a closed account (below) neither uses up the recovery code nor the TOTP step.
  const secondFactorRight = await db.transaction().execute(async (trx) => {
    let right = false;
    if (totpCode !== null) {
      const step = await acceptedTotpStep(
        secrets?.totpSecret ?? DUMMY_TOTP_SECRET,
        totpCode,
        now,
        secrets?.totpLastStep ?? null,
      );
      // Recorded atomically: of two requests with one code, only the first gets in.
      right = step !== null && (await recordTotpStep(trx, memberId, step));
    } else if (recoveryCode !== null) {
      right = await consumeRecoveryCode(trx, memberId, recoveryCodeHash(recoveryCode));
    }
    if (right && memberId !== NO_MEMBER) {
      const closed = (await findAccountThrottle(trx, account))?.secondFactorFailure;
      if (closed && isLocked(closed, now)) throw new SecondFactorLockedError(closed.lockedUntil!, now);
    }
    return right;
  });

  if (!secrets || !passwordRight || !secondFactorRight) {
    const counters = await db.transaction().execute(async (trx) => {
      const next = countAccountFailure(
        await lockAccountThrottleRow(trx, account, now),
        memberId !== NO_MEMBER,
        now,
        settings.throttle,
      );
      await saveAccountThrottleRow(trx, account, next);
      return next;
    });
    if (reserved.next.lockedUntil) throw new AccountLockedError(reserved.next.lockedUntil, now);
    if (isLocked(counters.anyFailure, now)) throw new AccountGuardedError(counters.anyFailure.lockedUntil!, now);
    throw new SignInFailedError();
  }

  // The account-wide counters are left to expire: a success must not give a distributed guesser a fresh count.
  await clearClientThrottle(db, account, client);
  await deleteStaleThrottleRows(db, new Date(now.getTime() - settings.throttle.windowMs - settings.throttle.lockoutMs));
  if (needsRehash(secrets.passwordHash, settings.passwordCost)) {
    await updatePasswordHash(db, secrets.memberId, await hashPassword(input.password, settings.passwordCost));
  }
  const sessionToken = await startSession(db, secrets.memberId, settings, previousToken);
  return { memberId: secrets.memberId, sessionToken, usedRecoveryCode: recoveryCode !== null };
}
