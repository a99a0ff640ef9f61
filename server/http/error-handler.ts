import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { DomainError, type DomainErrorKind } from '../errors';
import type { Logger } from '../log';

const STATUS: Record<DomainErrorKind, number> = {
  'bad-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'rate-limited': 429,
  'not-configured': 503,
  busy: 503,
};

const GENERIC: Record<number, string> = {
  400: 'The request could not be understood.',
  404: 'There is no page at this address.',
  413: 'What you sent is larger than we accept.',
  500: 'Something went wrong on our side. Nothing you sent was stored; please try again in a little while.',
};

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new DomainError('not-found', GENERIC[404]!));

/**
 * The one place failures become responses: a status, a plain message, and for pages the error
 * template. Never a stack trace; unexpected errors are logged without request content.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const { status, message } = describe(error);
    // A full upload budget is the server working as designed, not a failure; a busy error with a
    // cause (the rate limits' database out of reach) is one.
    if (status >= 500 && !(error instanceof DomainError && error.kind === 'busy' && error.cause === undefined))
      log.error('request failed', { method: req.method, route: routeLabel(req), error: loggableError(error) });
    if (res.headersSent) return;
    res.status(status);
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
    if (req.path.startsWith('/api/')) {
      res.json({ error: message });
    } else {
      res.render('error.njk', { status, message }, (renderError: Error | null, html?: string) => {
        res.type('html').send(renderError ? `<!doctype html><title>Error ${status}</title><p>${status}</p>` : html);
      });
    }
  };
}

/**
 * What a log line may say about where a request went: the route's pattern ("/api/followup/:lookup"),
 * never the path, whose segments can be secrets (a receipt lookup, an invitation token) or content.
 */
export function routeLabel(req: Request): string {
  const pattern: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return pattern;
  if (Array.isArray(pattern) && pattern.every((p) => typeof p === 'string')) return pattern.join(' | ');
  return '(no route matched)';
}

/** An Error is logged by name, message and code (server/log.ts); anything else that was thrown only by its type. */
export function loggableError(error: unknown): Error | { thrown: string } {
  return error instanceof Error ? error : { thrown: typeof error };
}

function describe(error: unknown): { status: number; message: string } {
  if (error instanceof DomainError) return { status: STATUS[error.kind], message: error.message };
  const status =
    (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') return { status: 413, message: GENERIC[413]! };
  if (type === 'entity.parse.failed') return { status: 400, message: 'The request body is not valid JSON.' };
  if (typeof status === 'number' && status >= 400 && status < 500)
    return { status, message: GENERIC[status] ?? GENERIC[400]! };
  return { status: 500, message: GENERIC[500]! };
}
