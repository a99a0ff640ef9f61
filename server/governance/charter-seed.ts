// The charter's first values (issue 11 §3): at the first start, the environment's values (or the
// built-in ones) become the charter's 'seed' rows. Afterwards the charter changes by decision (or
// by the operator before any approver signed in): an environment value that differs is ignored,
// with one warning naming the variables.
import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { currentCommitteeKey } from '../../db/committee.queries';
import { seedCharterValue } from '../../db/charter.queries';
import { appendAudit, BY_OPERATOR } from '../audit/audit-log';
import type { Config } from '../config';
import type { Logger } from '../log';
import { CHARTER_SETTINGS, COMMITTEE_SETTING, charterDefaults } from './charter-settings';
import { readCharter } from './charter';
import { charterChanged } from './charter-cache';

/** Which environment variable gives a setting's first value. */
export const CHARTER_ENVIRONMENT: ReadonlyMap<string, string> = new Map([
  ['acknowledge-days.security', 'ACK_DAYS_SECURITY'],
  ['acknowledge-days.coc', 'ACK_DAYS_COC'],
  ['triage-days.security', 'TRIAGE_DAYS_SECURITY'],
  ['triage-days.coc', 'TRIAGE_DAYS_COC'],
  ['lazy-consensus-hours', 'LAZY_CONSENSUS_HOURS'],
  ['coc-lazy-consensus-hours', 'COC_LAZY_CONSENSUS_HOURS'],
  [COMMITTEE_SETTING, 'COC_COMMITTEE_EMAIL'],
]);

type Env = Record<string, string | undefined>;

/** Seeds the keys that have no row; warns once of the environment values the charter now overrides. Returns the keys seeded. */
export async function seedCharter(
  db: Kysely<Database>,
  config: Config,
  env: Env,
  log: Pick<Logger, 'warn'>,
  now: Date = new Date(),
): Promise<string[]> {
  const first = charterDefaults(config);
  // An installation that set the committee's key before the charter existed: that key is its value.
  const key = await currentCommitteeKey(db);
  if (key) first.cncfCommittee = { email: key.email, fingerprint: key.fingerprint };
  const seeded = await db.transaction().execute(async (trx) => {
    const keys: string[] = [];
    for (const [name, definition] of CHARTER_SETTINGS) {
      if (await seedCharterValue(trx, { key: name, value: definition.read(first), at: now })) keys.push(name);
    }
    if (keys.length > 0) await appendAudit(trx, { ...BY_OPERATOR, action: 'charter.seeded', details: { keys } });
    return keys;
  });
  if (seeded.length > 0) charterChanged();

  const current = await readCharter(db, config);
  const fromEnv = charterDefaults(config);
  const ignored = [...CHARTER_ENVIRONMENT]
    .filter(([name, variable]) => {
      if (seeded.includes(name) || !env[variable]) return false;
      const definition = CHARTER_SETTINGS.get(name)!;
      const wanted = definition.read(fromEnv);
      const stored = definition.read(current);
      if (name === COMMITTEE_SETTING)
        return (wanted as { email: string }).email !== (stored as { email: string }).email;
      return !isDeepStrictEqual(wanted, stored);
    })
    .map(([, variable]) => variable);
  if (ignored.length > 0)
    log.warn(
      'the charter is changed by decision of the approvers now: these environment values differ from it and are ignored',
      { ignored, see: 'intake charter show' },
    );
  return seeded;
}
