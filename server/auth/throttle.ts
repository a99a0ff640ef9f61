// The sign-in lock-out rules, as pure functions of the counters and the time. Three counters (issue 7.10):
// * per account and client: `maxFailures` failures lock that client out of that account, refused
//   without a check. Only that client suffers it, so no one can lock a member out from elsewhere.
// * per account, every failure from anywhere: when locked, every attempt is still checked, the right
//   password with a valid code gets in, anything else is refused. Nothing here reveals whether the
//   password was right, so this cannot be used to test passwords.
// * per account, wrong codes typed with the right password: only someone who knows the password can
//   fill it, and when locked nobody gets in, which stops guessing the six digits from many addresses.

export interface ThrottlePolicy {
  /** Failures within `windowMs` that lock the account. */
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

export interface ThrottleState {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

export type AttemptDecision =
  /** Locked: the attempt must be refused without checking anything. */
  | { allowed: false; lockedUntil: Date }
  /**
   * Allowed; `next` counts this attempt as a failure in advance (saved before the password is
   * checked, so parallel guesses cannot overtake the count). A success then clears it. When this is
   * the last attempt before the lock-out, `next.lockedUntil` is already set.
   */
  | { allowed: true; next: ThrottleState };

export function reserveAttempt(state: ThrottleState, now: Date, policy: ThrottlePolicy): AttemptDecision {
  if (state.lockedUntil !== null && state.lockedUntil > now) return { allowed: false, lockedUntil: state.lockedUntil };
  const windowOver = state.lockedUntil !== null || now.getTime() - state.windowStartedAt.getTime() >= policy.windowMs;
  const failures = (windowOver ? 0 : state.failures) + 1;
  return {
    allowed: true,
    next: {
      failures,
      windowStartedAt: windowOver ? now : state.windowStartedAt,
      lockedUntil: failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockoutMs) : null,
    },
  };
}

export function isLocked(state: ThrottleState, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil > now;
}

/** The account-wide counters: every failure, and the wrong codes typed with the right password. */
export interface AccountThrottleState {
  anyFailure: ThrottleState;
  secondFactorFailure: ThrottleState;
}

/**
 * Counts one failed sign-in for the account, after the check. A lock is not extended by failures
 * while it lasts, so its end tells nobody what was tried meanwhile.
 */
export function countAccountFailure(
  state: AccountThrottleState,
  passwordRight: boolean,
  now: Date,
  policy: ThrottlePolicy,
): AccountThrottleState {
  const counted = (counter: ThrottleState) => {
    const decision = reserveAttempt(counter, now, policy);
    return decision.allowed ? decision.next : counter;
  };
  return {
    anyFailure: counted(state.anyFailure),
    secondFactorFailure: passwordRight ? counted(state.secondFactorFailure) : state.secondFactorFailure,
  };
}

/** "14:35 UTC (in 15 minutes)": when a locked account may try again, for the sign-in page. */
export function describeRetryTime(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  const clock = until.toISOString().slice(11, 16);
  return `${clock} UTC (in ${minutes} minute${minutes === 1 ? '' : 's'})`;
}
