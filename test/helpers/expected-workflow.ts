// The moves issue 3 asks for, written from its text (not read back from server/cases/workflow.ts), so
// that tests compare the code against the issue.
import type { CaseKind } from '../../db/database';

export const CLOSING = ['duplicate', 'not-a-vulnerability', 'out-of-scope', 'spam'];

/** The moves. Security: after Kmesh, Kubernetes, OpenSSF; CoC: after the CNCF procedures. */
export const EXPECTED_MOVES: Record<CaseKind, Record<string, string[]>> = {
  security: {
    new: ['acknowledged', ...CLOSING],
    acknowledged: ['assessing', ...CLOSING],
    assessing: ['confirmed', 'needs-info', ...CLOSING],
    'needs-info': ['assessing'],
    confirmed: ['fixing'],
    // Issue 12: fixing → published is the approvers' decision (publish-advisory), no reader's move.
    fixing: [],
    published: ['closed'],
    closed: [],
    duplicate: [],
    'not-a-vulnerability': [],
    'out-of-scope': [],
    spam: [],
  },
  coc: {
    new: ['acknowledged'],
    acknowledged: ['investigating', 'needs-info'],
    investigating: ['needs-info', 'resolved'],
    'needs-info': ['investigating'],
    referred: ['resolved'],
    resolved: ['closed'],
    closed: [],
  },
};

/** Issue 12: the moves only a passed decision makes (publishing the advisory), never a reader's button. */
export const EXPECTED_DECISION_MOVES: Record<CaseKind, Record<string, string[]>> = {
  security: { fixing: ['published'] },
  coc: {},
};

/** Every move that leaves a state, a reader's or a decision's. */
export function movesLeaving(kind: CaseKind, state: string): string[] {
  return [...(EXPECTED_MOVES[kind][state] ?? []), ...(EXPECTED_DECISION_MOVES[kind][state] ?? [])];
}

/** Issue 8: a reader reopens a closed case (with a reason); it goes back to the work it was closed from. */
export const EXPECTED_REOPEN: Record<CaseKind, string> = { security: 'assessing', coc: 'investigating' };
