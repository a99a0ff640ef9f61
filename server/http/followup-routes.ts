import express, { Router, type RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import { rateLimit } from 'express-rate-limit';
import type { Database } from '../../db/database';
import type { CaseEvents } from '../cases/case-events';
import { DomainError, badInput } from '../errors';
import { addReporterReply, followupForBrowser, openFollowupWithReceipt, replyWithReceipt } from '../intake/followup';
import { field } from './auth-forms';
import { urlencodedForm } from './outside-keys';
import type { SharedLimits } from '../limits/shared-limits';
import { noStore, RateLimitedError, type Csrf } from './protection';
import { SharedLimitStore } from './shared-limit-store';

export interface FollowupRouteDeps {
  db: Kysely<Database>;
  csrf: Csrf;
  events: CaseEvents;
  /** Where receipt guesses are counted (shared by all instances). */
  limits: SharedLimits;
  /** Receipt guesses one client may make per 15 minutes. */
  guessLimit?: number;
}

/** The reporter's follow-up page (/followup) and its JSON twin; receipts are never logged or kept. */
export function followupRoutes(deps: FollowupRouteDeps): Router {
  const router = Router();
  const guesses: RequestHandler = rateLimit({
    store: new SharedLimitStore(deps.limits, 'receipt-guesses'),
    windowMs: 15 * 60_000,
    limit: deps.guessLimit ?? 30,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(
        new RateLimitedError('Too many attempts from your network. Please wait a quarter of an hour and try again.'),
      ),
  });
  router.use(['/followup', '/api/followup'], noStore);
  const form = urlencodedForm({ limit: '1mb' });

  router.get('/followup', (req, res) => res.render('followup.njk', { csrfToken: deps.csrf.tokenFor(req, res) }));

  // A post without the page's CSRF token never opens a case: another site could otherwise open its own
  // case in the reporter's browser, and the reporter's answer would go to it. An answer is carried over.
  const expired = (req: express.Request, res: express.Response, answer: string) =>
    res.status(403).render('followup.njk', {
      problems: ['This page expired. Enter your receipt again to open your case.'],
      answer,
      csrfToken: deps.csrf.tokenFor(req, res),
    });

  router.post('/followup', guesses, form, async (req, res) => {
    if (!deps.csrf.isValid(req)) return void expired(req, res, field(req.body, 'answer'));
    await renderFollowup(req, res, field(req.body, 'receipt'), [], field(req.body, 'answer'));
  });

  router.post('/followup/reply', guesses, form, async (req, res) => {
    const answer = field(req.body, 'answer');
    if (!deps.csrf.isValid(req)) return void expired(req, res, answer);
    const receipt = field(req.body, 'receipt');
    const problems: string[] = [];
    try {
      await replyWithReceipt(deps.db, receipt, answer, deps.events);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind === 'not-found') throw error;
      problems.push(error.message);
    }
    await renderFollowup(req, res, receipt, problems, problems.length ? answer : '', problems.length === 0);
  });

  router.get('/api/followup/:lookup', guesses, async (req, res) => {
    res.json(await followupForBrowser(deps.db, String(req.params.lookup)));
  });

  router.post('/api/followup/:lookup/replies', guesses, express.json({ limit: '2mb' }), async (req, res) => {
    const message = (req.body as { message?: unknown } | undefined)?.message;
    if (typeof message !== 'string') throw badInput('"message" must be an armored OpenPGP message.');
    await addReporterReply(deps.db, String(req.params.lookup), message, deps.events);
    res.status(201).json({ ok: true });
  });

  async function renderFollowup(
    req: express.Request,
    res: express.Response,
    receipt: string,
    problems: string[] = [],
    answer = '',
    sent = false,
  ) {
    try {
      const followup = await openFollowupWithReceipt(deps.db, receipt);
      res.render('followup-case.njk', {
        followup,
        receipt,
        problems,
        answer,
        sent,
        csrfToken: deps.csrf.tokenFor(req, res),
      });
    } catch (error) {
      if (!(error instanceof DomainError) || (error.kind !== 'not-found' && error.kind !== 'rate-limited')) throw error;
      // Busy unlocking other receipts: the reporter's answer is kept, to send again in a moment.
      if (error.kind === 'rate-limited') res.status(503).set('Retry-After', '30');
      else res.status(404);
      res.render('followup.njk', { problems: [error.message], answer, csrfToken: deps.csrf.tokenFor(req, res) });
    }
  }

  return router;
}
