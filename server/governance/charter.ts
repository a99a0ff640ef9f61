// Reading and changing the charter's settings (issue 11 §3). OWNER: helper "charter".
// readCharter is the one way the rest of the app reads a setting (from the database);
// currentCharter the same from this instance's copy, which every change drops on every instance
// (charter-cache.ts). Changes come by decision (change-setting), or from the operator's CLI before
// any approver has signed in (charter-operator.ts).
import { isDeepStrictEqual } from 'node:util';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { charterRow, listCharterRows, lockCharter, writeCharterValue, type CharterRow } from '../../db/charter.queries';
import { cachedCharterRows, charterChanged } from './charter-cache';
import { appendAudit } from '../audit/audit-log';
import type { AuditJson } from '../audit/audit-chain';
import { DEFAULT_TARGETS, type ResponseTargets } from '../cases/clocks';
import { badInput, conflict } from '../errors';
import type { Threshold } from './decision-rules';
import type { GovernanceActor } from './governance-actor';
import {
  CHARTER_SETTINGS,
  COMMITTEE_SETTING,
  charterDefaults,
  type CharterConfig,
  type CharterSettings,
  type SettingDefinition,
} from './charter-settings';
import { applyCommitteeChange, checkCommitteeChange, committeeChangeTitle } from './committee-setting';

type Db = Kysely<Database> | Transaction<Database>;

/** The current settings: the stored values over the defaults (from the database; see currentCharter). */
export async function readCharter(db: Db, config: CharterConfig): Promise<CharterSettings> {
  return settingsOf(await listCharterRows(db), config);
}

/** The same for the hot paths: from this instance's copy, dropped on every change (charter-cache.ts). In a transaction, read there. */
export async function currentCharter(db: Db, config: CharterConfig): Promise<CharterSettings> {
  return db.isTransaction
    ? readCharter(db, config)
    : settingsOf(await cachedCharterRows(db as Kysely<Database>), config);
}

function settingsOf(rows: readonly CharterRow[], config: CharterConfig): CharterSettings {
  const settings = charterDefaults(config);
  for (const row of rows) {
    const definition = CHARTER_SETTINGS.get(row.key);
    if (definition) definition.write(settings, definition.parse(row.value));
  }
  return settings;
}

/** The periods of decisions, as the charter sets them now. */
export async function decisionPeriods(
  db: Db,
  config: CharterConfig,
): Promise<{ lazyConsensusHours: number; cocLazyConsensusHours: number }> {
  const { lazyConsensusHours, cocLazyConsensusHours } = await currentCharter(db, config);
  return { lazyConsensusHours, cocLazyConsensusHours };
}

/** The response times a new case's clocks follow: the charter's, over the caller's (the configuration's) where it has no row. */
export async function responseTargets(db: Db, fallback: ResponseTargets): Promise<ResponseTargets> {
  const { acknowledgeDays, triageDays } = await currentCharter(db, {
    acknowledgeDays: { ...fallback.acknowledgeDays },
    triageDays: { ...fallback.triageDays },
    decisions: BUILT_IN_CHARTER.decisions,
  });
  return { acknowledgeDays, triageDays };
}

/** The majority a change of this setting needs. */
export function settingThreshold(key: string | null): Threshold {
  return (key !== null && CHARTER_SETTINGS.get(key)?.threshold) || 'two-thirds';
}

export function settingChangeTitle(key: string | null, payload: unknown): string {
  const definition = key !== null ? CHARTER_SETTINGS.get(key) : undefined;
  if (!definition) return 'Change a setting of the charter';
  if (key === COMMITTEE_SETTING) return committeeChangeTitle(payload);
  return `Change “${definition.label}” to ${describeSettingValue(definition, payload)}`;
}

/** A value in words: "5 days", "yes". */
export function describeSettingValue(definition: SettingDefinition, value: unknown): string {
  const input = definition.input;
  if (input.type === 'yes-no') return value === true ? 'yes' : value === false ? 'no' : 'an invalid value';
  if (input.type === 'number' && typeof value === 'number')
    return `${value} ${value === 1 ? input.unit.replace(/s$/, '') : input.unit}`;
  if (input.type === 'committee' && typeof value === 'object' && value !== null) {
    const v = value as { email?: unknown; fingerprint?: unknown };
    return `${String(v.email)}${typeof v.fingerprint === 'string' ? `, key ${v.fingerprint}` : ', no key on file'}`;
  }
  return 'an invalid value';
}

/** A typed value (a form's field, the CLI's argument) as the definition stores it, before its check. */
export function settingValueFromText(definition: SettingDefinition, text: string): unknown {
  const t = text.trim().toLowerCase();
  if (definition.input.type === 'yes-no')
    return t === 'yes' || t === 'true' ? true : t === 'no' || t === 'false' ? false : t;
  return /^-?\d{1,15}$/.test(t) ? Number(t) : t;
}

/** The defaults where no configuration is at hand: the built-in values (the app seeds the environment's at start). */
export const BUILT_IN_CHARTER: CharterConfig = {
  acknowledgeDays: DEFAULT_TARGETS.acknowledgeDays,
  triageDays: DEFAULT_TARGETS.triageDays,
  decisions: { lazyConsensusHours: 72, cocLazyConsensusHours: 24 },
};

/** The setting's current value: its row, or the built-in value when it has none. */
export async function currentSettingValue(db: Db, key: string, definition: SettingDefinition): Promise<unknown> {
  const row = await charterRow(db, key);
  return row ? definition.parse(row.value) : definition.read(charterDefaults(BUILT_IN_CHARTER));
}

export function settingDefinition(key: string | null): SettingDefinition {
  const definition = key !== null ? CHARTER_SETTINGS.get(key) : undefined;
  if (!definition) throw badInput('There is no such setting in the charter: choose one from the charter page.');
  return definition;
}

/** The new value, checked: a known setting, a valid value, and a change. Returns it with the current one. */
async function checkedChange(
  db: Db,
  key: string | null,
  payload: unknown,
): Promise<{ key: string; definition: SettingDefinition; value: unknown; current: unknown }> {
  const definition = settingDefinition(key);
  let value: unknown;
  try {
    value = definition.parse(payload);
  } catch (error) {
    throw badInput(`${definition.label}: ${(error as Error).message}`);
  }
  const current = await currentSettingValue(db, key!, definition);
  if (isDeepStrictEqual(current, value))
    throw conflict(
      `“${definition.label}” is ${describeSettingValue(definition, value)} already: propose another value.`,
    );
  return { key: key!, definition, value, current };
}

export async function checkSettingChange(db: Db, key: string | null, payload: unknown): Promise<void> {
  if (key === COMMITTEE_SETTING) return checkCommitteeChange(db, payload);
  await checkedChange(db, key, payload);
}

/** Carries out a passed change-setting decision: the row by 'decision', audited with its old and new value. */
export async function applySettingChange(
  trx: Transaction<Database>,
  key: string | null,
  payload: unknown,
  actor: GovernanceActor,
): Promise<void> {
  await lockCharter(trx);
  if (key === COMMITTEE_SETTING) return applyCommitteeChange(trx, payload, actor);
  const change = await checkedChange(trx, key, payload);
  await writeCharterValue(trx, {
    key: change.key,
    value: change.value,
    changedBy: 'decision',
    proposalId: actor.proposalId ?? null,
    at: new Date(),
  });
  charterChanged();
  await appendAudit(trx, {
    caseId: null,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'charter.changed',
    details: {
      key: change.key,
      old: change.current as AuditJson,
      new: change.value as AuditJson,
      proposalId: actor.proposalId ?? null,
    },
  });
}
