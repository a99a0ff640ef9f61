// The lock-out rules: failures counted in advance, a lock after the fifth, then a fresh start; the
// account-wide counters, of which only wrong codes with the right password can close the account.
import {
  countAccountFailure,
  describeRetryTime,
  isLocked,
  reserveAttempt,
  type AccountThrottleState,
  type ThrottleState,
} from '../../server/auth/throttle';

const policy = { maxFailures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };
const t0 = new Date('2026-11-24T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const fresh: ThrottleState = { failures: 0, windowStartedAt: t0, lockedUntil: null };

/** Makes `n` attempts that all fail, one per minute from `start`. */
function failTimes(state: ThrottleState, n: number, start = 0): ThrottleState {
  for (let i = 0; i < n; i++) {
    const decision = reserveAttempt(state, at(start + i), policy);
    if (!decision.allowed) throw new Error(`attempt ${i + 1} was refused`);
    state = decision.next;
  }
  return state;
}

describe('reserveAttempt', () => {
  test('each attempt is counted before it is checked; four failures leave the account open', () => {
    const state = failTimes(fresh, 4);
    expect(state).toEqual({ failures: 4, windowStartedAt: t0, lockedUntil: null });
    expect(reserveAttempt(state, at(4), policy).allowed).toBe(true);
  });

  test('the fifth attempt already carries the lock (lifted only if it succeeds), for 15 minutes from then', () => {
    const decision = reserveAttempt(failTimes(fresh, 4), at(4), policy);
    expect(decision).toEqual({ allowed: true, next: { failures: 5, windowStartedAt: t0, lockedUntil: at(19) } });
  });

  test('while locked every attempt is refused and the lock is not extended', () => {
    const locked = failTimes(fresh, 5);
    expect(reserveAttempt(locked, at(10), policy)).toEqual({ allowed: false, lockedUntil: at(19) });
    expect(reserveAttempt(locked, at(18.99), policy)).toEqual({ allowed: false, lockedUntil: at(19) });
  });

  test('after the lock, counting starts again from one', () => {
    const decision = reserveAttempt(failTimes(fresh, 5), at(19), policy);
    expect(decision).toEqual({ allowed: true, next: { failures: 1, windowStartedAt: at(19), lockedUntil: null } });
  });

  test('failures older than the window are forgotten', () => {
    const state = failTimes(fresh, 4);
    const decision = reserveAttempt(state, at(15), policy);
    expect(decision).toEqual({ allowed: true, next: { failures: 1, windowStartedAt: at(15), lockedUntil: null } });
  });

  test('a policy of one failure locks at once', () => {
    const decision = reserveAttempt(fresh, t0, { ...policy, maxFailures: 1 });
    expect(decision.allowed && decision.next.lockedUntil).toEqual(at(15));
  });
});

describe('countAccountFailure', () => {
  const none: AccountThrottleState = { anyFailure: fresh, secondFactorFailure: fresh };
  const failMany = (n: number, passwordRight: boolean, state = none) => {
    for (let i = 0; i < n; i++) state = countAccountFailure(state, passwordRight, at(i), policy);
    return state;
  };

  test('every failure counts; only those with the right password count as wrong codes', () => {
    const state = failMany(3, false);
    expect(state.anyFailure.failures).toBe(3);
    expect(state.secondFactorFailure).toEqual(fresh);
    const withPassword = countAccountFailure(state, true, at(3), policy);
    expect(withPassword.anyFailure.failures).toBe(4);
    expect(withPassword.secondFactorFailure.failures).toBe(1);
  });

  test('five failures from anywhere guard the account; failures without the password never close it', () => {
    const state = failMany(10, false);
    expect(isLocked(state.anyFailure, at(10))).toBe(true);
    expect(isLocked(state.secondFactorFailure, at(10))).toBe(false);
  });

  test('five wrong codes with the right password close the account, for 15 minutes from the fifth', () => {
    const state = failMany(5, true);
    expect(state.secondFactorFailure.lockedUntil).toEqual(at(19));
    expect(isLocked(state.secondFactorFailure, at(18.99))).toBe(true);
    expect(isLocked(state.secondFactorFailure, at(19))).toBe(false);
  });

  test('failures while locked do not extend the lock', () => {
    const locked = failMany(5, true);
    const later = countAccountFailure(countAccountFailure(locked, true, at(10), policy), false, at(12), policy);
    expect(later).toEqual(locked);
  });
});

describe('describeRetryTime', () => {
  test('a UTC clock time and the minutes left, rounded up', () => {
    expect(describeRetryTime(at(15), t0)).toBe('10:15 UTC (in 15 minutes)');
    expect(describeRetryTime(new Date(t0.getTime() + 61_000), t0)).toBe('10:01 UTC (in 2 minutes)');
    expect(describeRetryTime(new Date(t0.getTime() + 5_000), t0)).toBe('10:00 UTC (in 1 minute)');
  });
});
