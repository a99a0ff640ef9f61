// Per-client rate limits counted in PostgreSQL, so that every instance on one database sees the
// same counts (N instances must not allow N times the limit). Clients are stored only as a keyed
// hash (the secret is shared by the instances, in app_secrets); an address is never written.
// When the counts cannot be read or written the limit fails closed: LimitsUnavailableError.
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { getOrCreateSecret } from '../../db/app-secrets.queries';
import type { Database } from '../../db/database';
import {
  countHit,
  currentCount,
  forgetCount,
  uncountHit,
  deleteEndedWindows,
  type WindowCount,
} from '../../db/rate-limits.queries';
import { DomainError } from '../errors';

export type { WindowCount };

/** What a refused client is asked to wait before trying again. */
export const LIMITS_RETRY_AFTER_SECONDS = 30;

/** The counts could not be reached: the request is refused (503), never let through uncounted. */
export class LimitsUnavailableError extends DomainError {
  readonly retryAfterSeconds = LIMITS_RETRY_AFTER_SECONDS;
  constructor(cause: unknown) {
    super(
      'busy',
      `This cannot be taken just now because the server cannot reach its database. Nothing was stored; please try again in ${LIMITS_RETRY_AFTER_SECONDS} seconds.`,
      { cause },
    );
    this.name = 'LimitsUnavailableError';
  }
}

export interface SharedLimits {
  /** Counts one hit of `client` against `limiter`: the count in its window and when the window ends. */
  hit(limiter: string, client: string, windowMs: number): Promise<WindowCount>;
  /** Takes one hit back (express-rate-limit's skipSuccessfulRequests). */
  unhit(limiter: string, client: string): Promise<void>;
  /** The count in a window still running, or undefined. */
  current(limiter: string, client: string): Promise<WindowCount | undefined>;
  forget(limiter: string, client: string): Promise<void>;
  /** Reads (or makes) the hashing secret now, at start, rather than on the first hit. */
  prepare(): Promise<void>;
}

/** The counts on `db`; the hashing secret is read on first use (and again after a failed read). */
export function sharedLimits(db: Kysely<Database>): SharedLimits {
  let secret: Promise<string> | undefined;
  const readSecret = () =>
    (secret ??= getOrCreateSecret(db, 'rate-limit-clients').catch((error: unknown) => {
      secret = undefined;
      throw error;
    }));
  const hash = async (limiter: string, client: string) => {
    const key = await readSecret();
    return crypto.createHmac('sha256', key).update(limiter).update('\0').update(client).digest();
  };
  const failClosed =
    <A extends unknown[], R>(work: (limiter: string, clientHash: Buffer, ...rest: A) => Promise<R>) =>
    async (limiter: string, client: string, ...rest: A): Promise<R> => {
      try {
        return await work(limiter, await hash(limiter, client), ...rest);
      } catch (error) {
        throw new LimitsUnavailableError(error);
      }
    };
  return {
    hit: failClosed((limiter, clientHash, windowMs: number) => countHit(db, limiter, clientHash, windowMs)),
    unhit: failClosed((limiter, clientHash) => uncountHit(db, limiter, clientHash)),
    current: failClosed((limiter, clientHash) => currentCount(db, limiter, clientHash)),
    forget: failClosed((limiter, clientHash) => forgetCount(db, limiter, clientHash)),
    prepare: async () => void (await readSecret()),
  };
}

/** Drops ended windows (background work; safe from every instance at once). */
export function dropEndedLimitWindows(db: Kysely<Database>): Promise<number> {
  return deleteEndedWindows(db);
}
