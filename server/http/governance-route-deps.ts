import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { Config } from '../config';
import type { CaseEvents } from '../cases/case-events';
import type { Csrf } from './protection';
import type { UploadBudget } from './upload-budget';

/** What the governance routers (access, decisions, conflicts) are given. */
export interface GovernanceRouteDeps {
  db: Kysely<Database>;
  config: Config;
  csrf: Csrf;
  events: CaseEvents;
  uploads: UploadBudget;
  /** The clock of decisions (deadlines, lazy consensus); tests move it. */
  now: () => Date;
}
