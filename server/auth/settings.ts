// Everything the sign-in code needs to know, derived once from the config and the app's deps.
import type { Argon2Cost } from '../../crypto/openpgp-config';
import type { Config } from '../config';
import { OWASP_PASSWORD_COST, type PasswordHashCost } from './passwords';
import type { ThrottlePolicy } from './throttle';

export interface SessionPolicy {
  /** A session unused this long is over. */
  idleMs: number;
  /** A session this old is over, however busy. */
  maxAgeMs: number;
  /** last_seen_at is written at most this often, not on every request. */
  touchEveryMs: number;
}

export interface AuthSettings {
  /** The clock every sign-in decision uses (tests move it). */
  now: () => Date;
  passwordCost: PasswordHashCost;
  throttle: ThrottlePolicy;
  session: SessionPolicy;
  /** Shown in authenticator apps. */
  issuer: string;
  /** PUBLIC_URL is https: cookies get Secure and the __Host- prefix. */
  https: boolean;
}

/** Invitation links are valid this long (issue: 72 hours). */
export const INVITATION_VALID_MS = 72 * 60 * 60 * 1000;

export function authSettings(config: Config, options: { argon2?: Argon2Cost; clock?: () => Date } = {}): AuthSettings {
  const cost = options.argon2;
  return Object.freeze({
    now: options.clock ?? (() => new Date()),
    // Tests lower the OpenPGP Argon2 cost through deps; the same knob lowers password hashing.
    passwordCost: cost
      ? { memoryKiB: 2 ** cost.memoryExponent, passes: cost.passes, parallelism: cost.parallelism }
      : OWASP_PASSWORD_COST,
    throttle: {
      maxFailures: config.auth.maxFailures,
      windowMs: config.auth.lockoutMinutes * 60_000,
      lockoutMs: config.auth.lockoutMinutes * 60_000,
    },
    session: {
      idleMs: config.auth.sessionIdleMinutes * 60_000,
      maxAgeMs: config.auth.sessionMaxHours * 3_600_000,
      touchEveryMs: 60_000,
    },
    issuer: `${config.projectName} confidential reports`,
    https: config.publicUrl.startsWith('https:'),
  });
}
