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
import { errorHandler, notFoundHandler } from './http/error-handler';
import { apiReadLimiter, createCsrf, securityHeaders, submissionLimiter } from './http/protection';
import { reportRoutes } from './http/report-routes';
import { installViews } from './http/views';

export interface AppDeps {
  db: Kysely<Database>;
  config: Config;
  log: Logger;
  /** Cheaper Argon2 for tests; production uses OpenPGP.js's default. */
  argon2?: Argon2Cost;
}

/** The express app, without listening. No request logging: public routes must leave no trace of who sent what. */
export async function createApp(deps: AppDeps): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  installViews(app, deps.config);

  const csrf = createCsrf(deps.config, await getOrCreateSecret(deps.db, 'csrf'));
  const submissions = submissionLimiter(deps.config);

  app.use(securityHeaders(deps.config));
  app.use(cookieParser());
  app.get('/healthz', (_req, res) => res.type('text').send('ok'));
  app.use(assetRoutes());
  app.use(reportRoutes({ db: deps.db, config: deps.config, csrf, submissionLimiter: submissions, argon2: deps.argon2 }));
  app.use(apiRoutes({ db: deps.db, config: deps.config, submissionLimiter: submissions, readLimiter: apiReadLimiter() }));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
