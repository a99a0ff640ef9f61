// The two cookies of signing in. Over https both carry the __Host- prefix: Secure, Path=/, no
// Domain, so no other host (not even a subdomain) can set or overwrite them.
import type { CookieOptions, Request, Response } from 'express';
import type { AuthSettings } from '../auth/settings';

const baseOptions = (settings: AuthSettings, sameSite: 'strict' | 'lax'): CookieOptions => ({
  httpOnly: true,
  secure: settings.https,
  sameSite,
  path: '/',
});

export function sessionCookieName(settings: AuthSettings): string {
  return settings.https ? '__Host-intake.session' : 'intake.session';
}

/** No Max-Age: the browser forgets it when it closes; the server ends it after inactivity or 12 hours anyway. */
export function setSessionCookie(res: Response, settings: AuthSettings, token: string): void {
  res.cookie(sessionCookieName(settings), token, baseOptions(settings, 'strict'));
}

export function clearSessionCookie(res: Response, settings: AuthSettings): void {
  res.clearCookie(sessionCookieName(settings), baseOptions(settings, 'strict'));
}

export function sessionToken(req: Request, settings: AuthSettings): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[sessionCookieName(settings)];
  return typeof value === 'string' ? value : undefined;
}

function inviteCookieName(settings: AuthSettings): string {
  return settings.https ? '__Host-intake.invite' : 'intake.invite';
}

/**
 * The invitation token, moved out of the link into a cookie on first visit so that it leaves the
 * address bar, the history and any error log. Lax, not Strict: the link is followed from a mail
 * client, and a Strict cookie would not come back on the redirect that follows. Every form it is
 * used with still needs a CSRF token.
 */
export function setInviteCookie(res: Response, settings: AuthSettings, token: string): void {
  res.cookie(inviteCookieName(settings), token, { ...baseOptions(settings, 'lax'), maxAge: 60 * 60 * 1000 });
}

export function clearInviteCookie(res: Response, settings: AuthSettings): void {
  res.clearCookie(inviteCookieName(settings), baseOptions(settings, 'lax'));
}

export function inviteToken(req: Request, settings: AuthSettings): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[inviteCookieName(settings)];
  return typeof value === 'string' ? value : undefined;
}
