import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Kysely } from 'kysely';
import nunjucks from 'nunjucks';
import type { Database } from '../../db/database';
import { clearInviteCookie, inviteToken, sessionToken, setInviteCookie, setSessionCookie } from './auth-cookies';
import { completeEnrolment, choosePassword, openInvitation } from '../auth/enrolment';
import { FormProblemsError, INVITATION_INVALID } from '../auth/errors';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/passwords';
import { isTokenShaped } from '../auth/secrets';
import type { AuthSettings } from '../auth/settings';
import { notFound } from '../errors';
import { authForm, clientLimited, field } from './auth-forms';
import type { Csrf } from './protection';
import { TEXT_LIMITS, textProblem } from '../text-checks';

export interface InviteRouteDeps {
  db: Kysely<Database>;
  csrf: Csrf;
  settings: AuthSettings;
  limiter: RequestHandler;
}

/**
 * Following an invitation: /invite/<token> moves the token into a cookie and redirects to /invite,
 * which shows the current step: choose a password, then enrol an authenticator, then the recovery codes.
 */
export function inviteRoutes(deps: InviteRouteDeps): Router {
  const router = Router();

  const renderStep = async (req: Request, res: Response, status: number, problems: string[] = []) => {
    const step = await openInvitation(deps.db, inviteToken(req, deps.settings), deps.settings);
    const csrfToken = deps.csrf.tokenFor(req, res);
    if (step.step === 'password') {
      return res.status(status).render('auth/invite-password.njk', {
        ...step,
        problems,
        csrfToken,
        minLength: MIN_PASSWORD_LENGTH,
        maxLength: MAX_PASSWORD_LENGTH,
      });
    }
    // The QR code is markup made by the qrcode library from our own otpauth URI (see totpQrSvg).
    const qrSvg = new nunjucks.runtime.SafeString(step.qrSvg);
    res.status(status).render('auth/invite-totp.njk', {
      ...step,
      qrSvg,
      secretGroups: step.secret.match(/.{1,4}/g)!.join(' '),
      problems,
      csrfToken,
    });
  };

  /** Guards both forms: per-client failure limit, then CSRF. The problem to show, or null. */
  const refusal = async (req: Request, res: Response): Promise<{ status: number; problem: string } | null> => {
    const limited = await clientLimited(deps.limiter, req, res);
    if (limited) return { status: 429, problem: limited.message };
    if (!deps.csrf.isValid(req)) return { status: 403, problem: 'This page had expired. Please try again.' };
    return null;
  };

  router.get('/invite/:token', (req, res) => {
    if (!isTokenShaped(req.params.token)) throw notFound(INVITATION_INVALID);
    setInviteCookie(res, deps.settings, req.params.token);
    res.redirect(303, '/invite');
  });

  router.get('/invite', (req, res) => renderStep(req, res, 200));

  router.post('/invite/password', authForm, async (req, res) => {
    const refused = await refusal(req, res);
    if (refused) return renderStep(req, res, refused.status, [refused.problem]);
    const input = { password: field(req.body, 'password'), confirmation: field(req.body, 'confirmation') };
    const problems = [
      textProblem(input.password, 'The password', TEXT_LIMITS.password),
      textProblem(input.confirmation, 'The repeated password', TEXT_LIMITS.password),
    ];
    if (problems.some((p) => p !== null))
      return renderStep(
        req,
        res,
        400,
        problems.filter((p) => p !== null),
      );
    try {
      await choosePassword(deps.db, inviteToken(req, deps.settings), input, deps.settings);
    } catch (error) {
      if (error instanceof FormProblemsError) return renderStep(req, res, 400, error.problems);
      throw error;
    }
    res.redirect(303, '/invite');
  });

  router.post('/invite/authenticator', authForm, async (req, res) => {
    const refused = await refusal(req, res);
    if (refused) return renderStep(req, res, refused.status, [refused.problem]);
    try {
      const token = inviteToken(req, deps.settings);
      const code = field(req.body, 'code');
      const problem = textProblem(code, 'The code', TEXT_LIMITS.code);
      if (problem) return renderStep(req, res, 400, [problem]);
      const enrolled = await completeEnrolment(deps.db, token, code, deps.settings, sessionToken(req, deps.settings));
      clearInviteCookie(res, deps.settings);
      setSessionCookie(res, deps.settings, enrolled.sessionToken);
      res.status(200).render('auth/recovery-codes.njk', { recoveryCodes: enrolled.recoveryCodes });
    } catch (error) {
      if (error instanceof FormProblemsError) return renderStep(req, res, 400, error.problems);
      throw error;
    }
  });

  return router;
}
