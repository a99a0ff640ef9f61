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
    fixing: ['published'],
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

/** Issue 8: a reader reopens a closed case (with a reason); it goes back to the work it was closed from. */
export const EXPECTED_REOPEN: Record<CaseKind, string> = { security: 'assessing', coc: 'investigating' };
