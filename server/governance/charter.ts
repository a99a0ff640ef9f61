// Reading and changing the charter's settings (issue 11 §3). OWNER: helper "charter".
// readCharter is the one way the rest of the app reads a setting; changes come by decision
// (change-setting), or from the operator's CLI before any approver has signed in.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { listCharterRows } from '../../db/charter.queries';
import type { Config } from '../config';
import type { Threshold } from './decision-rules';
import type { GovernanceActor } from './governance-actor';
import { CHARTER_SETTINGS, charterDefaults, type CharterSettings } from './charter-settings';

type Db = Kysely<Database> | Transaction<Database>;

/** The current settings: the stored values over the defaults. */
export async function readCharter(
  db: Db,
  config: Pick<Config, 'acknowledgeDays' | 'triageDays' | 'decisions'>,
): Promise<CharterSettings> {
  const settings = charterDefaults(config);
  for (const row of await listCharterRows(db)) {
    const definition = CHARTER_SETTINGS.get(row.key);
    if (definition) definition.write(settings, definition.parse(row.value));
  }
  return settings;
}

/** The majority a change of this setting needs. */
export function settingThreshold(key: string | null): Threshold {
  return (key !== null && CHARTER_SETTINGS.get(key)?.threshold) || 'two-thirds';
}

export function settingChangeTitle(key: string | null, payload: unknown): string {
  const label = (key !== null && CHARTER_SETTINGS.get(key)?.label) || 'a setting';
  return `Change “${label}” to ${JSON.stringify(payload)}`;
}

export async function checkSettingChange(_db: Db, _key: string | null, _payload: unknown): Promise<void> {
  throw new Error('not built yet (helper "charter")');
}

export async function applySettingChange(
  _trx: Transaction<Database>,
  _key: string | null,
  _payload: unknown,
  _actor: GovernanceActor,
): Promise<void> {
  throw new Error('not built yet (helper "charter")');
}
