// The one definition of each kind's states, the moves between them, and what the reporter is told.
// Security follows the Kmesh, Kubernetes and OpenSSF processes; Code of Conduct the CNCF procedures.
import type { CaseKind } from '../../db/database';
import { KIND_WORDS } from './case-words';
import { badInput } from '../errors';
import { badField } from '../field-errors';

export interface StateDefinition {
  /** What the reporter sees on the follow-up page. */
  reporterLabel: string;
  /** What responders see. */
  label: string;
  /** Closed: no move leaves it but a reopen, with a reason (reopenTarget). */
  terminal?: boolean;
  /** Reaching it counts as triaged (for the time-to-triage clock). */
  triaged?: boolean;
}

export const SECURITY_CLOSING_OUTCOMES = ['duplicate', 'not-a-vulnerability', 'out-of-scope', 'spam'] as const;
export const COC_RESOLUTIONS = ['no-violation', 'warning', 'temporary-ban', 'permanent-ban', 'other'] as const;
export type CocResolution = (typeof COC_RESOLUTIONS)[number];

export const STATES: Record<CaseKind, Record<string, StateDefinition>> = {
  security: {
    new: { label: 'New', reporterLabel: 'Received, not yet acknowledged' },
    acknowledged: { label: 'Acknowledged', reporterLabel: 'Acknowledged by the Security Response Team' },
    assessing: { label: 'Assessing', reporterLabel: 'Being assessed' },
    'needs-info': {
      label: 'Needs information',
      reporterLabel: 'We need more information from you: please read our reply',
    },
    confirmed: { label: 'Confirmed', reporterLabel: 'Confirmed as a vulnerability', triaged: true },
    fixing: { label: 'Fixing', reporterLabel: 'A fix is being prepared under embargo', triaged: true },
    published: { label: 'Published', reporterLabel: 'Fixed and disclosed', triaged: true },
    closed: { label: 'Closed', reporterLabel: 'Closed', terminal: true, triaged: true },
    duplicate: {
      label: 'Closed: duplicate',
      reporterLabel: 'Closed: it duplicates a report we already have',
      terminal: true,
      triaged: true,
    },
    'not-a-vulnerability': {
      label: 'Closed: not a vulnerability',
      reporterLabel: 'Closed: we concluded it is not a vulnerability',
      terminal: true,
      triaged: true,
    },
    'out-of-scope': {
      label: 'Closed: out of scope',
      reporterLabel: 'Closed: it is outside this project’s scope',
      terminal: true,
      triaged: true,
    },
    spam: { label: 'Closed: spam', reporterLabel: 'Closed', terminal: true, triaged: true },
  },
  coc: {
    new: { label: 'New', reporterLabel: 'Received, not yet acknowledged' },
    acknowledged: { label: 'Acknowledged', reporterLabel: 'Acknowledged by the approvers' },
    investigating: { label: 'Investigating', reporterLabel: 'Being looked into', triaged: true },
    'needs-info': {
      label: 'Needs information',
      reporterLabel: 'We need more information from you: please read our reply',
    },
    referred: {
      label: 'Referred to the CNCF CoC Committee',
      reporterLabel: 'Referred to the CNCF Code of Conduct Committee',
      triaged: true,
    },
    resolved: { label: 'Resolved', reporterLabel: 'Resolved', triaged: true },
    closed: { label: 'Closed', reporterLabel: 'Closed', terminal: true, triaged: true },
  },
};

const SECURITY_MOVES: Record<string, string[]> = {
  new: ['acknowledged', ...SECURITY_CLOSING_OUTCOMES],
  acknowledged: ['assessing', ...SECURITY_CLOSING_OUTCOMES],
  assessing: ['confirmed', 'needs-info', ...SECURITY_CLOSING_OUTCOMES],
  'needs-info': ['assessing'],
  confirmed: ['fixing'],
  // fixing → published is no one's move: publishing the advisory is the approvers' decision (issue 12).
  published: ['closed'],
};

/** Moves only a passed decision makes (server/disclosure/advisory-publish.ts), never a reader's button. */
const DECISION_MOVES: Record<CaseKind, Record<string, string[]>> = {
  security: { fixing: ['published'] },
  coc: {},
};

/** Whether a decision may move a case of this kind from `from` to `to`. */
export function canMoveByDecision(kind: CaseKind, from: string, to: string): boolean {
  return DECISION_MOVES[kind][from]?.includes(to) ?? false;
}

/** Throws a bad-input DomainError unless a decision may make this move. */
export function checkDecisionMove(kind: CaseKind, from: string, to: string): void {
  if (!canMoveByDecision(kind, from, to))
    throw badInput(
      `A ${KIND_WORDS[kind].adjective} case in "${from}" cannot be moved to "${to}" by a decision` +
        (to === 'published' ? ': an advisory is published from "fixing".' : '.'),
    );
}

// `referred` is no one's move: the system sets it when the referral has been mailed to the committee
// (server/governance/referral.ts), so that the status never says more than what happened.
const COC_MOVES: Record<string, string[]> = {
  new: ['acknowledged'],
  acknowledged: ['investigating', 'needs-info'],
  investigating: ['needs-info', 'resolved'],
  'needs-info': ['investigating'],
  referred: ['resolved'],
  resolved: ['closed'],
};

const MOVES: Record<CaseKind, Record<string, string[]>> = { security: SECURITY_MOVES, coc: COC_MOVES };

/** Where a reopened case goes: back to the work it was closed from, as a reader decides next. */
const REOPEN_TO: Record<CaseKind, string> = { security: 'assessing', coc: 'investigating' };

/**
 * The state a closed case reopens to, or null when the case is not closed. Reopening is not a
 * move of the table: it needs a reason (stored encrypted, as a note to the readers).
 */
export function reopenTarget(kind: CaseKind, status: string): string | null {
  return STATES[kind][status]?.terminal ? REOPEN_TO[kind] : null;
}

/** A move that closes the case: the page asks the member to confirm it first. */
export function isClosingMove(kind: CaseKind, to: string): boolean {
  return Boolean(STATES[kind][to]?.terminal);
}

/** The states a case of this kind may move to from `status`. */
export function allowedMoves(kind: CaseKind, status: string): string[] {
  return MOVES[kind][status] ?? [];
}

export function stateOf(kind: CaseKind, status: string): StateDefinition {
  const state = STATES[kind][status];
  if (!state) throw new Error(`Unknown ${kind} state "${status}"`);
  return state;
}

export function reporterLabel(kind: CaseKind, status: string): string {
  return stateOf(kind, status).reporterLabel;
}

/** What a move may carry: the duplicated case, or a CoC resolution's outcome. */
export interface MoveDetails {
  duplicateOf?: string | null;
  resolution?: string | null;
  /** A CoC remedy's length in months (a temporary ban), as typed or as a number. */
  months?: string | number | null;
  /** Whether a CoC remedy names someone publicly ("yes" from a form). */
  namedPublicly?: string | boolean | null;
}

/**
 * Checks a move and the details it needs; throws a bad-input DomainError saying why it is refused.
 * A duplicate must name the other case; a CoC resolution must record its outcome.
 */
export function checkMove(kind: CaseKind, from: string, to: string, details: MoveDetails = {}): void {
  if (!allowedMoves(kind, from).includes(to)) {
    const options = allowedMoves(kind, from);
    throw badInput(
      `A ${KIND_WORDS[kind].adjective} case cannot move from "${from}" to "${to}".` +
        (options.length
          ? ` From "${from}" it can move to: ${options.join(', ')}.`
          : reopenTarget(kind, from)
            ? ` "${from}" is closed: reopen it, with a reason, to work on it again.`
            : ` "${from}" is final.`),
    );
  }
  // A reference, not prose: it is kept in the clear and in the audit log, which has no room for content.
  if (to === 'duplicate' && !/^[A-Z0-9][A-Z0-9._-]{0,63}$/i.test(details.duplicateOf?.trim() ?? '')) {
    throw badField(
      'duplicateOf',
      'Name the case this one duplicates by its reference (like SEC-2026-7K3M-9QXD, or an advisory ID).',
    );
  }
  if (
    kind === 'coc' &&
    to === 'resolved' &&
    !(COC_RESOLUTIONS as readonly string[]).includes(details.resolution ?? '')
  ) {
    throw badField('resolution', `Record the resolution's outcome: one of ${COC_RESOLUTIONS.join(', ')}.`);
  }
}

/**
 * Whether the system may move a case to `referred` when its referral is mailed to the CNCF CoC
 * Committee: a Code of Conduct case not closed and not referred already, from whatever state it is
 * in (the committee takes it from there).
 */
export function canBeReferred(kind: CaseKind, status: string): boolean {
  return kind === 'coc' && status !== 'referred' && !STATES.coc[status]?.terminal;
}
