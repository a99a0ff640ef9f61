import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { clearSessionCookie, sessionToken, setSessionCookie } from './auth-cookies';
import { AccountGuardedError, AccountLockedError, SecondFactorLockedError, SignInFailedError } from '../auth/errors';
import { dummyPasswordHash } from '../auth/passwords';
import { safeNextPath } from '../auth/secrets';
import { accountOverview, signInClientSecret } from '../auth/account';
import { endAllSessions, endSession } from '../auth/sessions';
import { signIn } from '../auth/sign-in';
import type { AuthSettings } from '../auth/settings';
import { DomainError, forbidden } from '../errors';
import { authFailureLimiter, authForm, clientIdentity, clientLimited, field } from './auth-forms';
import { inviteRoutes } from './invite-routes';
import { noStore, type Csrf } from './protection';
import { requireSignedIn } from './request-context';
import { TEXT_LIMITS, textProblem } from '../text-checks';
import type { SharedLimits } from '../limits/shared-limits';

export interface AuthRouteDeps {
  db: Kysely<Database>;
  csrf: Csrf;
  settings: AuthSettings;
  /** Failed sign-in or enrolment attempts one client may make per window. */
  clientFailureLimit: number;
  /** Where the failures are counted (shared by all instances). */
  limits: SharedLimits;
}

/** Sign-in, sign-out (here or everywhere), the account page, and the invitation pages. */
export function authRoutes(deps: AuthRouteDeps): Router {
  const router = Router();
  const limiter = authFailureLimiter(deps.settings, deps.clientFailureLimit, deps.limits);
  // Made now, not on the first sign-in with an unknown e-mail, which would otherwise take twice as long.
  void dummyPasswordHash(deps.settings.passwordCost);
  let clientSecret: Promise<string> | undefined;
  const clientKey = async (req: Request) => {
    clientSecret ??= signInClientSecret(deps.db).catch((error: unknown) => {
      clientSecret = undefined;
      throw error;
    });
    return clientIdentity(req, await clientSecret);
  };
  router.use(['/signin', '/signout', '/account', '/invite'], noStore);
  router.use(inviteRoutes({ ...deps, limiter }));

  const renderSignIn = (
    req: Request,
    res: Response,
    status: number,
    state: { email?: string; next?: string; problems?: string[]; notice?: string },
  ) =>
    res.status(status).render('auth/signin.njk', {
      email: '',
      problems: [],
      ...state,
      next: safeNextPath(state.next),
      csrfToken: deps.csrf.tokenFor(req, res),
    });

  router.get('/signin', (req, res) => {
    const signedOut = req.query['signed-out'];
    const notice =
      signedOut === 'everywhere'
        ? 'You are signed out on every device.'
        : signedOut !== undefined
          ? 'You are signed out.'
          : undefined;
    renderSignIn(req, res, 200, { next: field(req.query, 'next'), notice });
  });

  router.post('/signin', authForm, async (req, res) => {
    const email = field(req.body, 'email').trim();
    const state = { email, next: field(req.body, 'next') };
    const limited = await clientLimited(limiter, req, res);
    if (limited) return renderSignIn(req, res, 429, { ...state, problems: [limited.message] });
    if (!deps.csrf.isValid(req))
      return renderSignIn(req, res, 403, { ...state, problems: ['This page had expired. Please sign in again.'] });
    const password = field(req.body, 'password');
    const code = field(req.body, 'code');
    if (email === '' || password === '' || code.trim() === '') {
      return renderSignIn(req, res, 400, {
        ...state,
        problems: ['Enter your e-mail, your password and a code from your authenticator app (or a recovery code).'],
      });
    }
    const problems = [
      textProblem(email, 'The e-mail', TEXT_LIMITS.email),
      textProblem(password, 'The password', TEXT_LIMITS.password),
      textProblem(code, 'The code', TEXT_LIMITS.code),
    ].filter((p) => p !== null);
    if (problems.length > 0) return renderSignIn(req, res, 400, { ...state, problems });
    try {
      const client = await clientKey(req);
      const signedIn = await signIn(
        deps.db,
        { email, password, code, client },
        deps.settings,
        sessionToken(req, deps.settings),
      );
      setSessionCookie(res, deps.settings, signedIn.sessionToken);
      res.redirect(303, signedIn.usedRecoveryCode ? '/account?recovery-code-used=1' : safeNextPath(state.next));
    } catch (error) {
      if (error instanceof SignInFailedError)
        return renderSignIn(req, res, 401, { ...state, problems: [error.message] });
      const throttled =
        error instanceof AccountLockedError ||
        error instanceof AccountGuardedError ||
        error instanceof SecondFactorLockedError;
      if (throttled) return renderSignIn(req, res, 429, { ...state, problems: [error.message] });
      throw error;
    }
  });

  router.post('/signout', authForm, async (req, res) => {
    if (!deps.csrf.isValid(req))
      throw forbidden('This page had expired, so you were not signed out. Go back, reload the page and try again.');
    await endSession(deps.db, sessionToken(req, deps.settings));
    clearSessionCookie(res, deps.settings);
    res.redirect(303, '/signin?signed-out=1');
  });

  router.post('/signout/everywhere', authForm, async (req, res) => {
    const member = requireSignedIn(req, res);
    if (!deps.csrf.isValid(req))
      throw forbidden('This page had expired, so nothing was changed. Go back, reload the page and try again.');
    await endAllSessions(deps.db, member.id);
    clearSessionCookie(res, deps.settings);
    res.redirect(303, '/signin?signed-out=everywhere');
  });

  router.get('/account', async (req, res) => {
    const member = requireSignedIn(req, res);
    res.render('auth/account.njk', {
      ...(await accountOverview(deps.db, member, deps.settings)),
      recoveryCodeUsed: req.query['recovery-code-used'] !== undefined,
      sessionIdleMinutes: deps.settings.session.idleMs / 60_000,
      sessionMaxHours: deps.settings.session.maxAgeMs / 3_600_000,
      csrfToken: deps.csrf.tokenFor(req, res),
    });
  });

  return router;
}

/** A page that needs a signed-in member, asked for by GET: go to the sign-in page and come back. */
export const redirectToSignIn: ErrorRequestHandler = (error, req, res, next) => {
  const wantsPage = (req.method === 'GET' || req.method === 'HEAD') && !req.path.startsWith('/api/');
  if (error instanceof DomainError && error.kind === 'unauthenticated' && wantsPage) {
    res.redirect(303, `/signin?next=${encodeURIComponent(safeNextPath(req.originalUrl))}`);
    return;
  }
  next(error);
};
