// The refusals of signing in and enrolling that a page must tell apart.
import { DomainError } from '../errors';
import { describeRetryTime } from './throttle';

/** The one message for every failed sign-in: it never says which of e-mail, password or code was wrong. */
export const SIGN_IN_FAILED = 'The e-mail, password or code is not right. Check them and try again.';

export class SignInFailedError extends DomainError {
  constructor() {
    super('unauthenticated', SIGN_IN_FAILED);
    this.name = 'SignInFailedError';
  }
}

/** Too many failures for this account from this client: says when to try again from here. */
export class AccountLockedError extends DomainError {
  constructor(
    readonly lockedUntil: Date,
    now: Date,
  ) {
    super(
      'rate-limited',
      `Too many failed sign-ins for this account from your network. To protect it, signing in from here is paused until ${describeRetryTime(lockedUntil, now)}. ` +
        'If you have lost your password or authenticator, ask the operator to reset your sign-in.',
    );
    this.name = 'AccountLockedError';
  }
}

/**
 * Too many failures for this account from anywhere: a failed attempt is refused, whatever was wrong
 * in it, and the right password with a valid code still gets in (so no one can lock the owner out).
 */
export class AccountGuardedError extends DomainError {
  constructor(
    readonly guardedUntil: Date,
    now: Date,
  ) {
    super(
      'rate-limited',
      `There have been many failed sign-ins for this account, so until ${describeRetryTime(guardedUntil, now)} every attempt that is not right is refused. ` +
        'Your right password with a new code from your authenticator app (or a recovery code) still signs you in: check them and try again.',
    );
    this.name = 'AccountGuardedError';
  }
}

/** Several wrong codes came with the right password: only someone who knows it sees this. */
export class SecondFactorLockedError extends DomainError {
  constructor(
    readonly lockedUntil: Date,
    now: Date,
  ) {
    super(
      'rate-limited',
      `Signing in to this account is paused until ${describeRetryTime(lockedUntil, now)}, because several wrong codes were typed with its password. ` +
        'If that was not you, someone knows your password: ask the operator to reset your sign-in now.',
    );
    this.name = 'SecondFactorLockedError';
  }
}

/** A form with problems the member can fix, listed for the page's error summary. */
export class FormProblemsError extends DomainError {
  constructor(readonly problems: string[]) {
    super('bad-input', problems.join(' '));
    this.name = 'FormProblemsError';
  }
}

export const INVITATION_INVALID =
  'This invitation link cannot be used: it has expired (links are valid for 72 hours), it was already used, or a newer one replaced it. ' +
  'Ask the operator for a new invitation.';
