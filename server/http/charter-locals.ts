// The public pages promise the charter's response times and name the CNCF committee's address:
// read per request (one small table), so what a page promises is what a new case's clocks follow.
import type { RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { Config } from '../config';
import { currentCharter } from '../governance/charter';

export function charterLocals(db: Kysely<Database>, config: Config): RequestHandler {
  return async (_req, res, next) => {
    try {
      const charter = await currentCharter(db, config);
      res.locals.ackDays = charter.acknowledgeDays;
      res.locals.triageDays = charter.triageDays;
      res.locals.conduct = { ...config.conduct, committeeEmail: charter.cncfCommittee.email };
    } catch {
      // The database is unreachable: the page still comes up (with the configuration's values, the
      // views' globals) so that the form can say so itself and keep what was typed.
    }
    next();
  };
}
