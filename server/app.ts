import { accessRoutes } from './http/access-routes';
import { meetingRoutes } from './http/meeting-routes';
import { srtNoticesOnDashboard, srtRoutes } from './http/srt-routes';
import { charterRoutes } from './http/charter-routes';
import { cncfRoutes } from './http/cncf-routes';
import { transparencyRoutes } from './http/transparency-routes';
import { advisoryRoutes } from './http/advisory-routes';
import { distributorRoutes } from './http/distributor-routes';
import { retentionRoutes } from './http/retention-routes';
import { conflictRoutes } from './http/conflict-routes';
import { decisionRoutes, settleDueDecisions } from './http/decision-routes';
import express, { type Express } from 'express';
import cookieParser from 'cookie-parser';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { getOrCreateSecret } from '../db/app-secrets.queries';
import type { Argon2Cost } from '../crypto/openpgp-config';
import type { Config } from './config';
import type { Logger } from './log';
import { apiRoutes } from './http/api-routes';
import { assetRoutes } from './http/assets';
import { compressPublicPages } from './http/compression';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { healthRoute } from './http/health-route';
import { stringCookies } from './http/outside-keys';
import { requestGuard } from './http/request-guard';
import { apiReadLimiter, createCsrf, securityHeaders, submissionLimiter } from './http/protection';
import { reportRoutes } from './http/report-routes';
import { authRoutes, redirectToSignIn } from './http/auth-routes';
import { sessionMiddleware } from './http/session-middleware';
import { authSettings } from './auth/settings';
import { dashboardApiRoutes } from './http/dashboard-api-routes';
import { dashboardRoutes } from './http/dashboard-routes';
import { followupRoutes } from './http/followup-routes';
import { silentCaseEvents, type CaseEvents } from './cases/case-events';
import { installViews } from './http/views';
import { UploadBudget } from './http/upload-budget';
import { submissionTokens } from './intake/submission-tokens';
import { wellKnownRoutes, type IntakeKeyProvider } from './http/well-known-routes';
import { sharedLimits } from './limits/shared-limits';
import { charterLocals } from './http/charter-locals';

export interface AppDeps {
  db: Kysely<Database>;
  config: Config;
  log: Logger;
  /** Cheaper Argon2 for tests; production uses OpenPGP.js's default (OWASP's for member passwords). */
  argon2?: Argon2Cost;
  /** The clock of sign-in decisions (sessions, lock-out, TOTP steps); tests move it. */
  clock?: () => Date;
  /** The clock of decisions (proposal deadlines, lazy consensus); tests move it. */
  governanceClock?: () => Date;
  /** Who hears about new cases and messages (outbound mail); silent when not given. */
  events?: CaseEvents;
  /** The published intake key: security.txt, WKD, the security policy, the fingerprint on pages. */
  intakeKeys?: IntakeKeyProvider;
  /** Whether outbound mail can leave, and how much mail to this member waits: shown on the member's dashboard. */
  mailStatus?: (memberId: string) => Promise<{ relayConfigured: boolean; waiting: number }>;
}

/** The express app, without listening. No request logging: public routes must leave no trace of who sent what. */
export async function createApp(deps: AppDeps): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  installViews(app, deps.config);

  const csrf = createCsrf(deps.config, await getOrCreateSecret(deps.db, 'csrf'));
  const limits = sharedLimits(deps.db);
  await limits.prepare();
  const submissions = submissionLimiter(deps.config, limits);
  const uploads = new UploadBudget(deps.config.uploadBudget);
  const tokens = submissionTokens(await getOrCreateSecret(deps.db, 'submission-tokens'));

  app.use(requestGuard(deps.log));
  app.use(securityHeaders(deps.config));
  app.use(cookieParser(), stringCookies);
  app.get('/healthz', healthRoute(deps.db));
  app.get('/favicon.ico', (_req, res) => res.status(204).end());
  app.use(await assetRoutes());
  app.use(compressPublicPages());
  app.use(['/report', '/security-policy'], charterLocals(deps.db, deps.config));
  if (deps.intakeKeys) app.use(wellKnownRoutes({ config: deps.config, keys: deps.intakeKeys }));
  const auth = authSettings(deps.config, { argon2: deps.argon2, clock: deps.clock });
  app.use(sessionMiddleware({ db: deps.db, settings: auth, csrf }));
  app.use(
    authRoutes({ db: deps.db, csrf, settings: auth, clientFailureLimit: deps.config.auth.clientFailureLimit, limits }),
  );
  app.use(
    reportRoutes({
      db: deps.db,
      config: deps.config,
      csrf,
      submissionLimiter: submissions,
      uploads,
      events: deps.events,
      log: deps.log,
      tokens,
    }),
  );
  app.use(
    apiRoutes({
      db: deps.db,
      config: deps.config,
      submissionLimiter: submissions,
      readLimiter: apiReadLimiter(limits),
      uploads,
      events: deps.events,
      tokens,
    }),
  );
  const events = deps.events ?? silentCaseEvents;
  app.use(followupRoutes({ db: deps.db, csrf, events, limits }));
  const governance = {
    db: deps.db,
    config: deps.config,
    csrf,
    events,
    uploads,
    now: deps.governanceClock ?? (() => new Date()),
  };
  app.use(settleDueDecisions(governance), srtNoticesOnDashboard(governance));
  app.use(
    dashboardRoutes({
      db: deps.db,
      csrf,
      events,
      mailStatus: deps.mailStatus,
      now: deps.governanceClock,
      grantWaitWarningHours: deps.config.grantWaitWarningHours,
    }),
  );
  app.use(dashboardApiRoutes({ db: deps.db, csrf, events, uploads }));
  app.use(accessRoutes(governance), decisionRoutes(governance), conflictRoutes(governance));
  app.use(meetingRoutes(governance), srtRoutes(governance), charterRoutes(governance), cncfRoutes(governance));
  app.use(transparencyRoutes(governance), advisoryRoutes(governance), distributorRoutes(governance));
  app.use(retentionRoutes(governance));
  app.use(redirectToSignIn);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
