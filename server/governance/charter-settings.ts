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
}

export interface SettingDefinition {
  /** In the dashboard and the audit trail. */
  label: string;
  /** "Modifying this Charter" needs two-thirds of all existing approvers; the rest a simple majority. */
  threshold: Threshold;
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
      parse: yesNo,
      read: (s) => s.cncfCentralRecord,
      write: (s, v) => (s.cncfCentralRecord = v as boolean),
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
    parse: wholeNumber(min, max, unit),
    read: (s) => group(s)[field],
    write: (s, v) => (group(s)[field] = v as number),
  };
}

/** The values before any change: the environment's (existing installations) or the built-in ones. */
export function charterDefaults(config: Pick<Config, 'acknowledgeDays' | 'triageDays' | 'decisions'>): CharterSettings {
  return {
    acknowledgeDays: { ...config.acknowledgeDays },
    triageDays: { ...config.triageDays },
    lazyConsensusHours: config.decisions.lazyConsensusHours,
    cocLazyConsensusHours: config.decisions.cocLazyConsensusHours,
    retentionDays: { security: 730, coc: 365 },
    cncfCentralRecord: true,
    transparency: { smallCountThreshold: 3, periodMonths: 6 },
  };
}
