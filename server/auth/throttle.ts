// The per-account lock-out rule, as a pure function of the counter and the time.

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

/** "14:35 UTC (in 15 minutes)": when a locked account may try again, for the sign-in page. */
export function describeRetryTime(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  const clock = until.toISOString().slice(11, 16);
  return `${clock} UTC (in ${minutes} minute${minutes === 1 ? '' : 's'})`;
}
