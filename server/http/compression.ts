import zlib from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';
import compression from 'compression';

/**
 * The public pages compressed, brotli or gzip by Accept-Encoding, and only these: each is a GET
 * whose answer reflects nothing from the request except the query names listed (whose values only
 * choose among fixed texts). A compressed answer that carried both a secret (a CSRF token, a
 * receipt) and text an attacker chose would let its size reveal the secret (BREACH), so POST answers
 * (forms shown again with what was typed, confirmations with a receipt), error pages that quote the
 * request, and every page behind sign-in go out as they are.
 */
const COMPRESSIBLE_PAGES = new Map<string, ReadonlySet<string>>([
  // `form` is answered 200 only when it is an id this server issued (else a redirect to a new one).
  ['/report', new Set(['kind', 'form'])],
  ['/followup', new Set()],
  ['/security-policy', new Set()],
]);

export function compressPublicPages(): RequestHandler {
  return compression({
    filter: (req: Request, res: Response) => isCompressiblePage(req, res) && compression.filter(req, res),
    brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } },
  });
}

function isCompressiblePage(req: Request, res: Response): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (res.statusCode !== 200 || !String(res.getHeader('Content-Type') ?? '').startsWith('text/html')) return false;
  const allowed = COMPRESSIBLE_PAGES.get(req.path);
  if (!allowed) return false;
  const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  return [...query.keys()].every((name) => allowed.has(name));
}
