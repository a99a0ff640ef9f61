import type { RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { pingDatabase } from '../../db/health.queries';

/** How long /healthz waits for PostgreSQL before it says the database is unavailable. */
export const HEALTH_TIMEOUT_MS = 2_000;

/**
 * /healthz for the load balancer and the container healthcheck: 200 "ok" when PostgreSQL answers a
 * `select 1` in time, else 503 "database unavailable"; nothing more, as anyone may ask. At most one
 * ping is in flight, so a flood of checks against a hung database holds one connection, not the pool.
 */
export function healthRoute(db: Kysely<Database>, timeoutMs = HEALTH_TIMEOUT_MS): RequestHandler {
  let ping: Promise<void> | null = null;
  return async (_req, res) => {
    const current = (ping ??= pingDatabase(db).finally(() => {
      ping = null;
    }));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const up = await Promise.race([
      current.then(
        () => true,
        () => false,
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    res
      .status(up ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .type('text/plain; charset=utf-8')
      .send(up ? 'ok' : 'database unavailable');
  };
}
