// express-rate-limit's Store on the shared counts (server/limits/shared-limits.ts): every limiter
// of the public and sign-in paths counts in PostgreSQL, so that all instances share its limit.
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { SharedLimits } from '../limits/shared-limits';

export class SharedLimitStore implements Store {
  /** Counts are shared by every instance (express-rate-limit's double-count check reads this). */
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;

  constructor(
    private readonly limits: SharedLimits,
    /** The limiter's name: its counts are kept apart from every other limiter's. */
    readonly limiter: string,
  ) {
    this.prefix = `${limiter}:`;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const count = await this.limits.current(this.limiter, key);
    return count && { totalHits: count.hits, resetTime: count.resetsAt };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const count = await this.limits.hit(this.limiter, key, this.windowMs);
    return { totalHits: count.hits, resetTime: count.resetsAt };
  }

  decrement(key: string): Promise<void> {
    return this.limits.unhit(this.limiter, key);
  }

  resetKey(key: string): Promise<void> {
    return this.limits.forget(this.limiter, key);
  }
}
