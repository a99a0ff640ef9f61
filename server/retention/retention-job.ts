// Retention runs as a pg-boss job in the application's database (schema "pgboss", started by the
// mail service): the queue is "stately", so at most one run waits and one runs, whichever instance
// fetched it; each run also skips cases another holds (SKIP LOCKED), so even two runs at once would
// delete each case once. Background work enqueues a run now and then with the decisions clock.
import type { Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Database } from '../../db/database';
import type { CaseEvents } from '../cases/case-events';
import type { Config } from '../config';
import type { Logger } from '../log';
import { retentionPolicy } from './retention-rules';
import { runRetentionSweep, type SweepResult } from './retention-sweep';

export const RETENTION_QUEUE = 'retention-run';

interface RetentionJobData {
  /** The decisions clock when the run was asked for (ISO). */
  now: string;
}

export interface RetentionJob {
  /** Asks for a run as of `now`; none is added while one already waits. */
  enqueue(now: Date): Promise<void>;
}

export interface RetentionDeps {
  db: Kysely<Database>;
  config: Pick<Config, 'acknowledgeDays' | 'triageDays' | 'decisions'>;
  events: CaseEvents;
  log: Logger;
}

/** One run with the charter's retention as it is now. */
export async function runRetention(deps: RetentionDeps, now: Date): Promise<SweepResult> {
  const result = await runRetentionSweep(deps.db, await retentionPolicy(deps.db, deps.config), deps.events, now);
  if (result.warned.length || result.deleted.length)
    deps.log.info('retention', { warned: result.warned.length, deleted: result.deleted.length });
  return result;
}

export async function startRetentionJob(
  boss: PgBoss,
  deps: RetentionDeps,
  options: { pollingIntervalSeconds?: number } = {},
): Promise<RetentionJob> {
  await boss.createQueue(RETENTION_QUEUE, {
    name: RETENTION_QUEUE,
    policy: 'stately',
    retryLimit: 3,
    retryDelay: 60,
    expireInSeconds: 30 * 60,
    retentionDays: 7,
  });
  await boss.work<RetentionJobData>(
    RETENTION_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 30 },
    async ([job]) => {
      if (job) await runRetention(deps, new Date(job.data.now));
    },
  );
  return {
    enqueue: async (now) => {
      await boss.send(RETENTION_QUEUE, { now: now.toISOString() } satisfies RetentionJobData);
    },
  };
}
