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

/** Too many failures for this account: says when to try again. */
export class AccountLockedError extends DomainError {
  constructor(readonly lockedUntil: Date, now: Date) {
    super(
      'rate-limited',
      `Too many failed sign-ins for this account. To protect it, signing in is paused until ${describeRetryTime(lockedUntil, now)}. ` +
        'If you have lost your password or authenticator, ask the operator to reset your sign-in.',
    );
    this.name = 'AccountLockedError';
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
