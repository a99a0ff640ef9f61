// The charter's settings (issue 11 §3): the values that encode the governance, each with its
// default, its check, and the majority a change needs. OWNER: helper "charter" (extends this table;
// keep the shape: other modules read `CharterSettings` through readCharter in charter.ts).
import type { Config } from '../config';
import type { Threshold } from './decision-rules';

/** Every setting's current value, as the rest of the app reads it. */
export interface CharterSettings {
  /** Days to acknowledge a report, by kind (the security policy's response times). */
  acknowledgeDays: { security: number; coc: number };
  /** Days to triage a report, by kind. */
  triageDays: { security: number; coc: number };
  /** Lazy consensus, and a vote's period, on the project and on security cases. */
  lazyConsensusHours: number;
  /** The same on Code of Conduct cases (the CNCF CoC Committee's 24 hours). */
  cocLazyConsensusHours: number;
  /** Days a closed case's content is kept (issue 12 §3): security after published/closed, CoC after closed. */
  retentionDays: { security: number; coc: number };
  /** Whether CoC incidents are notified to the CNCF CoC Committee's central record (issue 11 §4). */
  cncfCentralRecord: boolean;
  /** The transparency report (issue 11 §5): counts below this are shown as "fewer than N"; months per period. */
  transparency: { smallCountThreshold: number; periodMonths: number };
  /** The CNCF CoC Committee's address, and the fingerprint of its key on file (the key itself is in committee_keys). */
  cncfCommittee: { email: string; fingerprint: string | null };
}

export type SettingInput =
  { type: 'number'; min: number; max: number; unit: string } | { type: 'yes-no' } | { type: 'committee' };

const GOVERNS = 'It changes the governance itself (“Modifying this Charter”): two-thirds of all existing approvers.';
const RECORDS = 'It records a fact or a presentation, it does not change the governance: a simple majority.';

export interface SettingDefinition {
  /** In the dashboard and the audit trail. */
  label: string;
  /** "Modifying this Charter" needs two-thirds of all existing approvers; the rest a simple majority. */
  threshold: Threshold;
  /** How the dashboard asks for a new value (and how a typed one, from a form or the CLI, is read). */
  input: SettingInput;
  /** Why a change needs the majority it needs (shown on the charter page). */
  why: string;
  /** The value as stored, checked; throws a plain-words Error when it is not acceptable. */
  parse(value: unknown): unknown;
  read(settings: CharterSettings): unknown;
  write(settings: CharterSettings, value: unknown): void;
}

const wholeNumber = (min: number, max: number, unit: string) => (value: unknown) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new Error(`Give a whole number of ${unit} from ${min} to ${max}.`);
  return value;
};
/** Its key: a proposal to change it carries the address and the armored key (committee-setting.ts). */
export const COMMITTEE_SETTING = 'cncf-committee';
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const committeeValue = (value: unknown) => {
  const v = value as { email?: unknown; fingerprint?: unknown } | null;
  if (typeof v !== 'object' || v === null || typeof v.email !== 'string' || !EMAIL.test(v.email))
    throw new Error('Give the committee’s e-mail address.');
  if (v.fingerprint !== null && (typeof v.fingerprint !== 'string' || !/^[0-9A-F]{40,64}$/.test(v.fingerprint)))
    throw new Error('Give the fingerprint of the committee’s key.');
  return { email: v.email, fingerprint: v.fingerprint };
};
const yesNo = (value: unknown) => {
  if (typeof value !== 'boolean') throw new Error('Choose yes or no.');
  return value;
};

/** By key (a Map: keys come from forms and stored rows, never index a plain object). */
export const CHARTER_SETTINGS: ReadonlyMap<string, SettingDefinition> = new Map<string, SettingDefinition>([
  [
    'acknowledge-days.security',
    numberSetting(
      'Days to acknowledge a security report',
      'two-thirds',
      1,
      60,
      'days',
      (s) => s.acknowledgeDays,
      'security',
    ),
  ],
  [
    'acknowledge-days.coc',
    numberSetting(
      'Days to acknowledge a Code of Conduct report',
      'two-thirds',
      1,
      60,
      'days',
      (s) => s.acknowledgeDays,
      'coc',
    ),
  ],
  [
    'triage-days.security',
    numberSetting('Days to triage a security report', 'two-thirds', 1, 365, 'days', (s) => s.triageDays, 'security'),
  ],
  [
    'triage-days.coc',
    numberSetting('Days to triage a Code of Conduct report', 'two-thirds', 1, 365, 'days', (s) => s.triageDays, 'coc'),
  ],
  [
    'lazy-consensus-hours',
    {
      label: 'Hours of lazy consensus (and of a vote)',
      threshold: 'two-thirds',
      input: { type: 'number', min: 1, max: 24 * 60, unit: 'hours' },
      why: GOVERNS,
      parse: wholeNumber(1, 24 * 60, 'hours'),
      read: (s) => s.lazyConsensusHours,
      write: (s, v) => (s.lazyConsensusHours = v as number),
    },
  ],
  [
    'coc-lazy-consensus-hours',
    {
      label: 'Hours of lazy consensus (and of a vote) on Code of Conduct cases',
      threshold: 'two-thirds',
      input: { type: 'number', min: 1, max: 24 * 60, unit: 'hours' },
      why: GOVERNS,
      parse: wholeNumber(1, 24 * 60, 'hours'),
      read: (s) => s.cocLazyConsensusHours,
      write: (s, v) => (s.cocLazyConsensusHours = v as number),
    },
  ],
  [
    'retention-days.security',
    numberSetting(
      'Days a closed security case’s content is kept',
      'two-thirds',
      30,
      36500,
      'days',
      (s) => s.retentionDays,
      'security',
    ),
  ],
  [
    'retention-days.coc',
    numberSetting(
      'Days a closed Code of Conduct case’s content is kept',
      'two-thirds',
      30,
      36500,
      'days',
      (s) => s.retentionDays,
      'coc',
    ),
  ],
  [
    'cncf-central-record',
    {
      label: 'Notify the CNCF CoC Committee’s central record of every Code of Conduct incident',
      threshold: 'two-thirds',
      input: { type: 'yes-no' },
      why: 'Whether the project accounts to the CNCF is part of the governance: two-thirds of all existing approvers.',
      parse: yesNo,
      read: (s) => s.cncfCentralRecord,
      write: (s, v) => (s.cncfCentralRecord = v as boolean),
    },
  ],
  [
    COMMITTEE_SETTING,
    {
      label: 'The CNCF Code of Conduct Committee’s address and OpenPGP key',
      // It records a fact (where the committee is reached), it does not change the governance.
      threshold: 'majority',
      input: { type: 'committee' },
      why: 'It records where the committee is reached and with which key; who decides what stays the same: a simple majority.',
      parse: committeeValue,
      read: (s) => s.cncfCommittee,
      write: (s, v) => (s.cncfCommittee = v as CharterSettings['cncfCommittee']),
    },
  ],
  [
    'transparency.small-count',
    numberSetting(
      'Counts in the transparency report shown only as “fewer than N”',
      'majority',
      1,
      100,
      'cases',
      (s) => s.transparency,
      'smallCountThreshold',
    ),
  ],
  [
    'transparency.period-months',
    numberSetting('Months per transparency report', 'majority', 1, 12, 'months', (s) => s.transparency, 'periodMonths'),
  ],
]);

function numberSetting<K extends string>(
  label: string,
  threshold: Threshold,
  min: number,
  max: number,
  unit: string,
  group: (s: CharterSettings) => Record<K, number>,
  field: K,
): SettingDefinition {
  return {
    label,
    threshold,
    input: { type: 'number', min, max, unit },
    why: threshold === 'two-thirds' ? GOVERNS : RECORDS,
    parse: wholeNumber(min, max, unit),
    read: (s) => group(s)[field],
    write: (s, v) => (group(s)[field] = v as number),
  };
}

/** The values before any change: the environment's (existing installations) or the built-in ones. */
export type CharterConfig = Pick<Config, 'acknowledgeDays' | 'triageDays' | 'decisions'> &
  Partial<Pick<Config, 'conduct'>>;

export function charterDefaults(config: CharterConfig): CharterSettings {
  return {
    acknowledgeDays: { ...config.acknowledgeDays },
    triageDays: { ...config.triageDays },
    lazyConsensusHours: config.decisions.lazyConsensusHours,
    cocLazyConsensusHours: config.decisions.cocLazyConsensusHours,
    retentionDays: { security: 730, coc: 365 },
    cncfCentralRecord: true,
    transparency: { smallCountThreshold: 3, periodMonths: 6 },
    cncfCommittee: { email: config.conduct?.committeeEmail ?? 'conduct@cncf.io', fingerprint: null },
  };
}
