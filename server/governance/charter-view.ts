// The charter as its readers see it (the dashboard's charter page, `intake charter show`): every
// setting with its value in words, since when, how it got it, and the majority a change needs.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { listCharterRows, type CharterRow } from '../../db/charter.queries';
import type { Threshold } from './decision-rules';
import { CHARTER_SETTINGS, type CharterConfig, type SettingInput } from './charter-settings';
import { describeSettingValue, readCharter, settingChangeTitle } from './charter';
import { listProposals } from '../../db/proposals.queries';
import type { SignedInMember } from '../auth/signed-in-member';

export interface CharterEntry {
  key: string;
  label: string;
  /** The value in words ("3 days", "yes"). */
  value: string;
  raw: unknown;
  input: SettingInput;
  threshold: Threshold;
  why: string;
  /** null: no row yet (the server writes the first values when it starts). */
  since: Date | null;
  how: CharterRow['changedBy'] | 'default';
  proposalId: string | null;
}

export async function charterEntries(db: Kysely<Database>, config: CharterConfig): Promise<CharterEntry[]> {
  const settings = await readCharter(db, config);
  const rows = new Map((await listCharterRows(db)).map((r) => [r.key, r]));
  return [...CHARTER_SETTINGS].map(([key, definition]) => {
    const row = rows.get(key);
    const raw = definition.read(settings);
    return {
      key,
      label: definition.label,
      value: describeSettingValue(definition, raw),
      raw,
      input: definition.input,
      threshold: definition.threshold,
      why: definition.why,
      since: row?.changedAt ?? null,
      how: row?.changedBy ?? 'default',
      proposalId: row?.proposalId ?? null,
    };
  });
}

export const HOW_WORDS: Readonly<Record<CharterEntry['how'], string>> = Object.freeze({
  seed: 'first value (the environment or the default)',
  operator: 'set by the operator',
  decision: 'changed by a decision',
  default: 'not written yet (the server writes it when it starts)',
});

export const THRESHOLD_WORDS: Readonly<Record<Threshold, string>> = Object.freeze({
  'two-thirds': 'two-thirds of all approvers (a vote)',
  majority: 'a simple majority (lazy consensus)',
});

export interface CharterPage {
  entries: (CharterEntry & { open: { id: string; title: string; mode: 'lazy' | 'vote' }[] })[];
}

/** The dashboard's charter page (approvers only: null for anyone else). */
export async function charterPage(
  db: Kysely<Database>,
  member: SignedInMember,
  config: CharterConfig,
): Promise<CharterPage | null> {
  if (member.role !== 'approver') return null;
  const open = (await listProposals(db, null)).filter((p) => p.kind === 'change-setting' && p.status === 'open');
  const entries = (await charterEntries(db, config)).map((e) => ({
    ...e,
    open: open
      .filter((p) => p.subjectKey === e.key)
      .map((p) => ({
        id: p.id,
        title: settingChangeTitle(p.subjectKey, p.payload),
        mode: (p.voteCalledAt ? 'vote' : 'lazy') as 'lazy' | 'vote',
      })),
  }));
  return { entries };
}
