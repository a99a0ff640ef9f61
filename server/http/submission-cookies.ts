// The report form's two cookies. Neither holds a receipt or report text.
// * The browser id: the form tokens of this browser are bound to it (server/intake/submission-tokens.ts),
//   so a form's address, seen in a history or a log, gives no one else its token. Lax, so that a
//   form opened from a link elsewhere keeps the id other open forms were made with.
// * The confirmation: the form's token, handed from the post to the one-time confirmation page on an
//   address of its own, so two tabs never swap confirmations and nothing secret goes in a URL.
import crypto from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import type { Config } from '../config';
import { SEAL_LIFETIME_MS } from '../intake/submission-tokens';

const https = (config: Config) => config.publicUrl.startsWith('https:');
const browserCookie = (config: Config) => (https(config) ? '__Host-intake.form' : 'intake.form');
const confirmationCookie = (config: Config) => (https(config) ? '__Secure-intake.submission' : 'intake.submission');

function cookie(req: Request, name: string): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,200}$/.test(value) ? value : undefined;
}

/** The browser id the request carries, if any. */
export function browserIdOf(config: Config, req: Request): string | undefined {
  return cookie(req, browserCookie(config));
}

/** The browser id, given to the browser now when it had none. No Max-Age: it ends with the browser session. */
export function ensureBrowserId(config: Config, req: Request, res: Response, newId: () => string): string {
  const known = browserIdOf(config, req);
  if (known) return known;
  const id = newId();
  res.cookie(browserCookie(config), id, { httpOnly: true, secure: https(config), sameSite: 'lax', path: '/' });
  return id;
}

const confirmationOptions = (config: Config, slot: string): CookieOptions => ({
  httpOnly: true,
  secure: https(config),
  sameSite: 'strict',
  path: `/report/received/${slot}`,
});

/** Sends the browser to a fresh confirmation address, with the token in a cookie for that address only. */
export function redirectToConfirmation(config: Config, res: Response, token: string): void {
  const slot = crypto.randomBytes(12).toString('base64url');
  res.cookie(confirmationCookie(config), token, { ...confirmationOptions(config, slot), maxAge: SEAL_LIFETIME_MS });
  res.redirect(303, `/report/received/${slot}`);
}

/** The token the confirmation page was sent with; the cookie is cleared at once (it is shown once). */
export function takeConfirmationToken(config: Config, req: Request, res: Response): string | undefined {
  res.clearCookie(confirmationCookie(config), confirmationOptions(config, String(req.params.slot)));
  return cookie(req, confirmationCookie(config));
}
