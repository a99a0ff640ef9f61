// Following an invitation: choose a password, enrol an authenticator (mandatory), receive recovery codes.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { replaceRecoveryCodes, saveCredentials } from '../../db/credentials.queries';
import {
  deleteInvitation,
  findOpenInvitation,
  lockOpenInvitation,
  setInvitationProgress,
} from '../../db/invitations.queries';
import { deleteMemberSessions } from '../../db/member-sessions.queries';
import { notFound } from '../errors';
import { FormProblemsError, INVITATION_INVALID } from './errors';
import { hashPassword, passwordProblems } from './passwords';
import {
  isTokenShaped,
  newRecoveryCode,
  normalizeRecoveryCode,
  normalizeTotpCode,
  RECOVERY_CODE_COUNT,
  recoveryCodeHash,
  sha256,
} from './secrets';
import { startSession } from './sessions';
import type { AuthSettings } from './settings';
import { acceptedTotpStep, newTotpSecret, totpQrSvg, totpUri } from './totp';

export type EnrolmentStep =
  | { step: 'password'; name: string; email: string; expiresAt: Date }
  | { step: 'totp'; name: string; email: string; expiresAt: Date; secret: string; uri: string; qrSvg: string };

/** Where the member holding this invitation token is in enrolling; not-found for an expired, used or unknown one. */
export async function openInvitation(
  db: Kysely<Database>,
  token: string | undefined,
  settings: AuthSettings,
): Promise<EnrolmentStep> {
  const invitation = await findInvitation(db, token, settings);
  const base = { name: invitation.name, email: invitation.email, expiresAt: invitation.expiresAt };
  if (!invitation.passwordChosen || invitation.pendingTotpSecret === null) return { step: 'password', ...base };
  const uri = totpUri(invitation.pendingTotpSecret, settings.issuer, invitation.email);
  const qrSvg = await totpQrSvg(uri, `QR code to add ${settings.issuer} to an authenticator app`);
  return { step: 'totp', ...base, secret: invitation.pendingTotpSecret, uri, qrSvg };
}

/**
 * Step 1: the member's password, checked for strength, kept (hashed) with the invitation until the
 * authenticator is confirmed, together with a fresh TOTP secret to show next.
 */
export async function choosePassword(
  db: Kysely<Database>,
  token: string | undefined,
  input: { password: string; confirmation: string },
  settings: AuthSettings,
): Promise<void> {
  const invitation = await findInvitation(db, token, settings);
  const problems = passwordProblems(input.password, input.confirmation, [
    invitation.name,
    invitation.email,
    settings.issuer,
  ]);
  if (problems.length > 0) throw new FormProblemsError(problems);
  await setInvitationProgress(
    db,
    invitation.memberId,
    await hashPassword(input.password, settings.passwordCost),
    newTotpSecret(),
  );
}

export interface Enrolled {
  memberId: string;
  /** Shown once, never stored in the clear. */
  recoveryCodes: string[];
  sessionToken: string;
}

/**
 * Step 2: a code from the newly enrolled authenticator proves it works. Then, in one transaction,
 * the password and TOTP secret become the member's, recovery codes are made, the invitation is
 * used up, and any older session of the member (or of this browser) ends. The member is signed in.
 */
export async function completeEnrolment(
  db: Kysely<Database>,
  token: string | undefined,
  code: string,
  settings: AuthSettings,
  previousSessionToken?: string,
): Promise<Enrolled> {
  if (!isTokenShaped(token)) throw notFound(INVITATION_INVALID);
  const now = settings.now();
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const memberId = await db.transaction().execute(async (trx) => {
    const invitation = await lockOpenInvitation(trx, sha256(token), now);
    if (!invitation) throw notFound(INVITATION_INVALID);
    if (invitation.pendingPasswordHash === null || invitation.pendingTotpSecret === null) {
      throw new FormProblemsError(['Choose your password first.']);
    }
    const totpCode = normalizeTotpCode(code);
    const step = totpCode === null ? null : await acceptedTotpStep(invitation.pendingTotpSecret, totpCode, now, null);
    if (step === null) {
      throw new FormProblemsError([
        'That code is not right. Enter the six digits your authenticator app shows now for this account; if it keeps failing, check that the phone’s clock is set automatically.',
      ]);
    }
    await saveCredentials(trx, invitation.memberId, {
      passwordHash: invitation.pendingPasswordHash,
      totpSecret: invitation.pendingTotpSecret,
      totpLastStep: step,
    });
    await replaceRecoveryCodes(
      trx,
      invitation.memberId,
      recoveryCodes.map((c) => recoveryCodeHash(normalizeRecoveryCode(c)!)),
    );
    await deleteInvitation(trx, invitation.memberId);
    await deleteMemberSessions(trx, invitation.memberId);
    return invitation.memberId;
  });
  const sessionToken = await startSession(db, memberId, settings, previousSessionToken);
  return { memberId, recoveryCodes, sessionToken };
}

async function findInvitation(db: Kysely<Database>, token: string | undefined, settings: AuthSettings) {
  const invitation = isTokenShaped(token) ? await findOpenInvitation(db, sha256(token), settings.now()) : undefined;
  if (!invitation) throw notFound(INVITATION_INVALID);
  return invitation;
}
