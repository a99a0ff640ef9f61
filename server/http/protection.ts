import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { doubleCsrf } from 'csrf-csrf';
import type { Config } from '../config';
import type { SharedLimits } from '../limits/shared-limits';
import { SharedLimitStore } from './shared-limit-store';
import { DomainError } from '../errors';

/**
 * Headers for every response: a strict CSP (no inline script, nothing from another origin; WASM is
 * allowed because OpenPGP.js runs Argon2 in it), no referrer, no framing.
 */
export function securityHeaders(config: Config): RequestHandler {
  const https = config.publicUrl.startsWith('https:');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
}

/** Responses of the public side are never cached: a shared computer must not keep a receipt. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export class RateLimitedError extends DomainError {
  constructor(
    message = 'Too many submissions from your network in a short time. Please wait a few minutes and send again; your text is kept below.',
  ) {
    super('rate-limited', message);
    this.name = 'RateLimitedError';
  }
}

/**
 * Per-client limit on submissions (web form and API share it), counted in PostgreSQL for all
 * instances. Clients are told apart by address, stored only as a keyed hash and never logged.
 */
export function submissionLimiter(config: Config, limits: SharedLimits): RequestHandler {
  return rateLimit({
    store: new SharedLimitStore(limits, 'submissions'),
    windowMs: config.submissionRateLimit.windowMs,
    limit: config.submissionRateLimit.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new RateLimitedError()),
  });
}

/** A looser limit for the public read-only API (recipient keys, approver list). */
export function apiReadLimiter(limits: SharedLimits): RequestHandler {
  return rateLimit({
    store: new SharedLimitStore(limits, 'api-reads'),
    windowMs: 60_000,
    limit: 300,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
  });
}

export interface Csrf {
  tokenFor: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => string;
  isValid: (req: Parameters<RequestHandler>[0]) => boolean;
  /**
   * Whether the request carries a CSRF cookie this server issued (for its session): checked before a
   * form body is read, where the token itself is; `isValid` still checks the token after.
   */
  hasValidCookie: (req: Parameters<RequestHandler>[0]) => boolean;
}

/**
 * CSRF protection for HTML forms: the double-submit cookie pattern (csrf-csrf), with a secret
 * shared by all instances. The JSON API needs no token: it accepts only application/json, which a
 * cross-site form cannot send, and answers no CORS preflight.
 */
export function createCsrf(config: Config, secret: string): Csrf {
  const https = config.publicUrl.startsWith('https:');
  const cookieName = https ? '__Host-intake.csrf' : 'intake.csrf';
  const options = {
    getSecret: () => secret,
    getSessionIdentifier: (req: Parameters<RequestHandler>[0]) =>
      (req as { sessionId?: string }).sessionId ?? 'anonymous',
    cookieName,
    cookieOptions: { sameSite: 'strict', secure: https, path: '/', httpOnly: true },
  } as const;
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    ...options,
    getCsrfTokenFromRequest: (req) =>
      ((req.body as Record<string, unknown> | undefined)?._csrf as string | undefined) ?? req.get('x-csrf-token'),
  });
  // The cookie checked against itself: its HMAC holds for our secret and this session.
  const cookieCheck = doubleCsrf({
    ...options,
    getCsrfTokenFromRequest: (req) =>
      (req.cookies as Record<string, unknown> | undefined)?.[cookieName] as string | undefined,
  });
  return {
    tokenFor: (req, res) => generateCsrfToken(req, res, { overwrite: false }),
    isValid: (req) => validateRequest(req),
    hasValidCookie: (req) => cookieCheck.validateRequest(req),
  };
}

/**
 * Whether the browser says the request came from another site (Fetch Metadata, or an Origin that is
 * neither ours nor the request's own). Our pages send `Referrer-Policy: no-referrer`, under which a
 * browser sends `Origin: null` even for our own forms, so a null Origin proves nothing either way.
 */
export function sentFromAnotherSite(req: Parameters<RequestHandler>[0], config: Config): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.get('origin');
  if (origin === undefined || origin === 'null') return false;
  return origin !== new URL(config.publicUrl).origin && origin !== `${req.protocol}://${req.get('host')}`;
}
