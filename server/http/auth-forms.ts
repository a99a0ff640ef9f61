// What the sign-in and invitation forms share: body parsing, the per-client failure limit, field access.
import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { AuthSettings } from '../auth/settings';
import { describeRetryTime } from '../auth/throttle';
import { DomainError } from '../errors';
import type { SharedLimits } from '../limits/shared-limits';
import { urlencodedForm } from './outside-keys';
import { SharedLimitStore } from './shared-limit-store';

/** Small urlencoded bodies, parsed only on the routes that take them. */
export const authForm = urlencodedForm({ limit: '8kb', parameterLimit: 20 });

export class ClientLimitedError extends DomainError {
  constructor(message: string) {
    super('rate-limited', message);
    this.name = 'ClientLimitedError';
  }
}

/** Per-client limit on failures (responses of 400 and up), shared by all instances; addresses are never stored or logged. */
export function authFailureLimiter(settings: AuthSettings, limit: number, limits: SharedLimits): RequestHandler {
  const windowMs = settings.throttle.lockoutMs;
  return rateLimit({
    store: new SharedLimitStore(limits, 'sign-in-failures'),
    windowMs,
    limit,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, _res, next) => {
      // The limiter's store counts in real time, whatever clock sign-in decisions use.
      const now = new Date();
      const reset =
        (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime ??
        new Date(now.getTime() + windowMs);
      next(
        new ClientLimitedError(
          `Too many failed attempts from your network. Please try again after ${describeRetryTime(reset, now)}.`,
        ),
      );
    },
  });
}

/** Runs the limiter inline: the ClientLimitedError to show on the page, or null to go on. */
export async function clientLimited(
  limiter: RequestHandler,
  req: Request,
  res: Response,
): Promise<ClientLimitedError | null> {
  const outcome = await new Promise<unknown>((resolve) => void limiter(req, res, resolve));
  if (outcome instanceof ClientLimitedError) return outcome;
  if (outcome) throw outcome;
  return null;
}

/**
 * The client as the sign-in lock-out sees it: a keyed hash of its address, IPv6 by its /56 as the
 * per-client limiter counts it, so that neither the database nor a dump of it holds an address.
 */
export function clientIdentity(req: Request, secret: string): string {
  return crypto
    .createHmac('sha256', secret)
    .update(ipKeyGenerator(req.ip ?? 'unknown'))
    .digest('hex');
}

/** A form or query field as one string: '' when absent, or when sent as a list (a field given twice). */
export function field(body: unknown, name: string): string {
  if (body === null || typeof body !== 'object' || !Object.hasOwn(body, name)) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}
