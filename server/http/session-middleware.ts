// Loads the member's session from its cookie on every request that carries one.
import type { RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { Csrf } from './protection';
import { clearSessionCookie, sessionToken } from './auth-cookies';
import { resumeSession } from '../auth/sessions';
import type { AuthSettings } from '../auth/settings';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in session's handle (a hash, not the cookie's token); CSRF tokens are bound to it. */
      sessionId?: string;
    }
  }
}

/**
 * Sets `res.locals.member` (a SignedInMember) and `req.sessionId` when the request carries the cookie
 * of a live session; clears a cookie whose session has ended. Pages for a signed-in member are never
 * cached, and get `csrfToken` for the sign-out form in the layout.
 */
export function sessionMiddleware(deps: { db: Kysely<Database>; settings: AuthSettings; csrf: Csrf }): RequestHandler {
  return async (req, res, next) => {
    const token = sessionToken(req, deps.settings);
    if (token === undefined) return next();
    const member = await resumeSession(deps.db, token, deps.settings);
    if (!member) {
      clearSessionCookie(res, deps.settings);
      return next();
    }
    req.sessionId = member.sessionId;
    res.locals.member = member;
    res.set('Cache-Control', 'no-store');
    res.locals.csrfToken = deps.csrf.tokenFor(req, res);
    next();
  };
}
