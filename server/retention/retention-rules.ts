// How long a closed case's content is kept (issue 12 §3): per kind, from the charter; the clock of a
// security case runs once it is published or closed, that of a CoC case once it is closed, from the
// case's last status change or new message. A deletion is announced to the readers a week ahead.
import type { Kysely, Transaction } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import {
  listRetentionCandidates,
  WARNING_DAYS,
  type RetentionPolicy,
  type RetentionRow,
} from '../../db/retention.queries';
import { readCharter } from '../governance/charter';
import type { Config } from '../config';
import { STATES } from '../cases/workflow';

type Db = Kysely<Database> | Transaction<Database>;
const DAY_MS = 86_400_000;

// A CoC case's outcome must stay at least 18 months (the CNCF checks repeat violations over that
// span). It is not content: the resolution and the dates stay in the case's row, the decisions in
// proposals, everything in the audit log, none of which retention deletes. So no content retention,
// however short the charter allows it, shortens the outcome's: it is kept for as long as the case row.

/** The states whose content a retention clock counts down. */
export function retentionStates(kind: CaseKind): string[] {
  return Object.entries(STATES[kind])
    .filter(([status, state]) => state.terminal || (kind === 'security' && status === 'published'))
    .map(([status]) => status);
}

export function policyFromDays(days: { security: number; coc: number }): RetentionPolicy {
  return {
    security: { states: retentionStates('security'), days: days.security },
    coc: { states: retentionStates('coc'), days: days.coc },
  };
}

type CharterConfig = Pick<Config, 'acknowledgeDays' | 'triageDays' | 'decisions'>;

// The retention days do not come from the environment (only their stored changes over the built-in
// defaults do): where no config is at hand (the case page), readCharter is given these stand-ins
// for the settings that do, which nothing here reads.
const NO_ENVIRONMENT: CharterConfig = {
  acknowledgeDays: { security: 0, coc: 0 },
  triageDays: { security: 0, coc: 0 },
  decisions: { lazyConsensusHours: 0, cocLazyConsensusHours: 0 },
};

/** The charter's retention, now. */
export async function retentionPolicy(db: Db, config: CharterConfig = NO_ENVIRONMENT): Promise<RetentionPolicy> {
  const policy = policyFromDays((await readCharter(db, config)).retentionDays);
  for (const kind of ['security', 'coc'] as const)
    if (!Number.isInteger(policy[kind].days) || policy[kind].days < 1)
      throw new Error(`The charter's retention of ${kind} cases (${policy[kind].days} days) is not a number of days`);
  return policy;
}

/** Whether this case's content is counting down now. */
export function isCountingDown(kind: CaseKind, status: string): boolean {
  return retentionStates(kind).includes(status);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/**
 * When the content will be deleted, as things stand: its clock's date, but never sooner than a week
 * after the readers were warned about that very date (and they have not been yet, it is a week from now).
 */
export function deletionDate(
  clockDueAt: Date,
  warning: { warnedFor: Date | null; warnedAt: Date | null },
  now: Date,
): Date {
  const warnedAt = warning.warnedFor?.getTime() === clockDueAt.getTime() && warning.warnedAt ? warning.warnedAt : now;
  return new Date(Math.max(clockDueAt.getTime(), addDays(warnedAt, WARNING_DAYS).getTime()));
}

/** A row of `intake retention due`: due by `until`; a held one is listed, and the job leaves it. */
export interface DueCase {
  reference: string;
  kind: CaseKind;
  deleteOn: Date;
  held: boolean;
}

export function dueCases(rows: readonly RetentionRow[], now: Date, until: Date = now): DueCase[] {
  return rows
    .map((r) => ({
      reference: r.reference,
      kind: r.kind,
      deleteOn: r.held ? r.clockDueAt : deletionDate(r.clockDueAt, r, now),
      held: r.held,
    }))
    .filter((r) => r.deleteOn.getTime() <= until.getTime());
}

/** What `intake retention due` lists: due by `withinDays` from now; the unheld ones due now are what a run deletes. */
export async function listDueCases(db: Db, config: CharterConfig, now: Date, withinDays = 0): Promise<DueCase[]> {
  const until = addDays(now, withinDays);
  return dueCases(await listRetentionCandidates(db, await retentionPolicy(db, config), until), now, until);
}
