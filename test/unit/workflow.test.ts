// The workflow rules of issue 3 item 4, checked against a table written here from the text
// (not read back from server/cases/workflow.ts): every (from, to) pair of each kind is accepted or refused.
import type { CaseKind } from '../../db/database';
import { DomainError } from '../../server/errors';
import {
  CLOSING,
  EXPECTED_DECISION_MOVES,
  EXPECTED_MOVES as EXPECTED,
  EXPECTED_REOPEN,
  movesLeaving,
} from '../helpers/expected-workflow';
import {
  COC_RESOLUTIONS,
  SECURITY_CLOSING_OUTCOMES,
  STATES,
  allowedMoves,
  canBeReferred,
  canMoveByDecision,
  checkDecisionMove,
  checkMove,
  isClosingMove,
  reopenTarget,
  reporterLabel,
  stateOf,
  type MoveDetails,
} from '../../server/cases/workflow';

const KINDS: CaseKind[] = ['security', 'coc'];
const statesOf = (kind: CaseKind) => Object.keys(STATES[kind]);

/** The details a move needs to be accepted. */
function detailsFor(kind: CaseKind, to: string): MoveDetails {
  if (to === 'duplicate') return { duplicateOf: 'SEC-2026-0001' };
  if (kind === 'coc' && to === 'resolved') return { resolution: 'warning' };
  return {};
}

function refusal(run: () => void): DomainError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect((caught as DomainError).kind).toBe('bad-input');
  return caught as DomainError;
}

const MATRIX = KINDS.flatMap((kind) =>
  statesOf(kind).flatMap((from) =>
    statesOf(kind).map((to) => ({ kind, from, to, allowed: EXPECTED[kind][from]!.includes(to) })),
  ),
);

describe('the state table', () => {
  test.each(KINDS)('%s: the table here names exactly the states server/cases/workflow.ts defines', (kind) => {
    expect(statesOf(kind).sort()).toEqual(Object.keys(EXPECTED[kind]).sort());
  });

  test.each(KINDS.flatMap((kind) => statesOf(kind).map((state) => [kind, state] as const)))(
    '%s: allowedMoves from "%s" is exactly the issue\'s',
    (kind, from) => {
      expect([...allowedMoves(kind, from)].sort()).toEqual([...EXPECTED[kind][from]!].sort());
    },
  );

  test('the constants match the issue', () => {
    expect([...SECURITY_CLOSING_OUTCOMES]).toEqual(CLOSING);
    expect([...COC_RESOLUTIONS]).toEqual(['no-violation', 'warning', 'temporary-ban', 'permanent-ban', 'other']);
  });
});

describe('every (from, to) pair', () => {
  test.each(MATRIX.filter((m) => m.allowed))('$kind: $from → $to is accepted', ({ kind, from, to }) => {
    expect(() => checkMove(kind, from, to, detailsFor(kind, to))).not.toThrow();
  });

  test.each(MATRIX.filter((m) => !m.allowed))('$kind: $from → $to is refused', ({ kind, from, to }) => {
    // Refused even with every detail a move could carry.
    const error = refusal(() => checkMove(kind, from, to, { duplicateOf: 'SEC-2026-0001', resolution: 'warning' }));
    expect(error.message).toContain(`from "${from}" to "${to}"`);
  });

  test('the matrix covers every pair: 12 × 12 security and 7 × 7 CoC', () => {
    expect(MATRIX).toHaveLength(144 + 49);
    // CoC's `referred` is set by the system when the referral is mailed, never moved to by hand.
    // Security's fixing → published is the approvers' decision (issue 12), not in the matrix of readers' moves.
    expect(MATRIX.filter((m) => m.allowed)).toHaveLength(19 + 8);
  });

  test.each(MATRIX)('a decision may move $kind "$from" → "$to" exactly when the issue says', ({ kind, from, to }) => {
    const expected = (EXPECTED_DECISION_MOVES[kind][from] ?? []).includes(to);
    expect(canMoveByDecision(kind, from, to)).toBe(expected);
    if (expected) checkDecisionMove(kind, from, to);
    else refusal(() => checkDecisionMove(kind, from, to));
  });

  test('a state of the other kind, or an unknown one, is refused', () => {
    refusal(() => checkMove('coc', 'new', 'duplicate', { duplicateOf: 'COC-2026-0001' }));
    refusal(() => checkMove('coc', 'investigating', 'confirmed'));
    refusal(() => checkMove('security', 'assessing', 'resolved', { resolution: 'warning' }));
    refusal(() => checkMove('security', 'assessing', 'referred'));
    refusal(() => checkMove('security', 'bogus', 'acknowledged'));
    refusal(() => checkMove('security', 'new', 'bogus'));
    expect(allowedMoves('coc', 'bogus')).toEqual([]);
  });

  test('a refusal tells the responder where the case can go instead', () => {
    expect(refusal(() => checkMove('security', 'new', 'fixing')).message).toContain(
      'it can move to: acknowledged, duplicate',
    );
    expect(refusal(() => checkMove('coc', 'closed', 'new')).message).toContain(
      '"closed" is closed: reopen it, with a reason',
    );
    expect(refusal(() => checkMove('security', 'spam', 'assessing')).message).toContain('reopen it, with a reason');
  });
});

describe('moves that need details', () => {
  test.each(['new', 'acknowledged', 'assessing'])('security %s → duplicate needs the case it duplicates', (from) => {
    for (const duplicateOf of [undefined, null, '', '   ']) {
      expect(refusal(() => checkMove('security', from, 'duplicate', { duplicateOf })).message).toMatch(/duplicates/);
    }
    expect(() => checkMove('security', from, 'duplicate', { duplicateOf: 'SEC-2026-0042' })).not.toThrow();
  });

  test.each(['investigating', 'referred'])('CoC %s → resolved needs a valid resolution', (from) => {
    for (const resolution of COC_RESOLUTIONS)
      expect(() => checkMove('coc', from, 'resolved', { resolution })).not.toThrow();
    for (const resolution of [undefined, null, '', 'banned', 'WARNING', ' warning']) {
      expect(refusal(() => checkMove('coc', from, 'resolved', { resolution })).message).toContain(
        'no-violation, warning',
      );
    }
  });

  test('other moves need no details', () => {
    expect(() => checkMove('security', 'assessing', 'not-a-vulnerability')).not.toThrow();
    expect(() => checkMove('coc', 'resolved', 'closed')).not.toThrow();
  });
});

describe('states', () => {
  const ALL = KINDS.flatMap((kind) =>
    statesOf(kind).map((state) => ({ kind, state, definition: STATES[kind][state]! })),
  );

  test.each(ALL)('$kind "$state" has a reporter label and a responder label', ({ kind, state, definition }) => {
    expect(definition.reporterLabel.trim()).not.toBe('');
    expect(definition.label.trim()).not.toBe('');
    expect(reporterLabel(kind, state)).toBe(definition.reporterLabel);
  });

  test.each(ALL)('$kind "$state": terminal exactly when no move leaves it', ({ kind, state, definition }) => {
    expect(Boolean(definition.terminal)).toBe(
      allowedMoves(kind, state).length === 0 && !statesOf(kind).some((to) => canMoveByDecision(kind, state, to)),
    );
    if (definition.terminal) {
      for (const to of statesOf(kind)) refusal(() => checkMove(kind, state, to, detailsFor(kind, to)));
    }
  });

  test.each(KINDS)('%s: every state is reachable from "new", and every state can still reach an end', (kind) => {
    // By a reader's move, or — `referred` — by the system once a passed referral is mailed.
    // A decision's move too (publishing the advisory).
    const byDecision = (from: string) => statesOf(kind).filter((to) => canMoveByDecision(kind, from, to));
    const next = (from: string) => [
      ...allowedMoves(kind, from),
      ...byDecision(from),
      ...(canBeReferred(kind, from) ? ['referred'] : []),
    ];
    const reachable = closure(kind, ['new'], next);
    expect([...reachable].sort()).toEqual(statesOf(kind).sort());
    const terminals = statesOf(kind).filter((s) => STATES[kind][s]!.terminal);
    const onwards = (from: string) => [...allowedMoves(kind, from), ...byDecision(from)];
    for (const state of statesOf(kind)) {
      expect(terminals.some((end) => closure(kind, [state], onwards).has(end))).toBe(true);
    }
  });

  test.each(KINDS)('%s: "new" is neither triaged nor final; every final state counts as triaged', (kind) => {
    expect(stateOf(kind, 'new')).toMatchObject({ label: 'New' });
    expect(STATES[kind].new!.triaged ?? false).toBe(false);
    for (const state of statesOf(kind))
      if (STATES[kind][state]!.terminal) expect(STATES[kind][state]!.triaged).toBe(true);
  });

  test('the reporter is told which closing outcome it was (spam aside, which says only "Closed")', () => {
    const labels = ['duplicate', 'not-a-vulnerability', 'out-of-scope'].map((s) => reporterLabel('security', s));
    expect(new Set(labels).size).toBe(3);
    for (const label of labels) expect(label).toMatch(/^Closed: /);
  });

  test('an unknown state has no label', () => {
    expect(() => reporterLabel('coc', 'duplicate')).toThrow(/Unknown coc state/);
  });
});

describe('reopening and closing (issue 8)', () => {
  const ALL = KINDS.flatMap((kind) =>
    statesOf(kind).map((state) => ({ kind, state, closed: movesLeaving(kind, state).length === 0 })),
  );

  test.each(ALL)(
    '$kind "$state": reopens to the issue\'s state exactly when no move leaves it',
    ({ kind, state, closed }) => {
      expect(reopenTarget(kind, state)).toBe(closed ? EXPECTED_REOPEN[kind] : null);
    },
  );

  test.each(ALL)(
    '$kind "$state": a move to it asks for confirmation exactly when it is closed',
    ({ kind, state, closed }) => {
      expect(isClosingMove(kind, state)).toBe(closed);
    },
  );

  test('a reopened case can be closed again', () => {
    for (const kind of KINDS) {
      const reachable = closure(kind, [EXPECTED_REOPEN[kind]], (from) => allowedMoves(kind, from));
      expect(
        statesOf(kind)
          .filter((s) => STATES[kind][s]!.terminal)
          .some((end) => reachable.has(end)),
      ).toBe(true);
    }
  });

  test('an unknown state neither reopens nor closes', () => {
    expect(reopenTarget('security', 'bogus')).toBeNull();
    expect(isClosingMove('coc', 'duplicate')).toBe(false);
  });
});

function closure(kind: CaseKind, start: string[], next: (state: string) => string[]): Set<string> {
  const seen = new Set<string>(start);
  const queue = [...start];
  while (queue.length > 0) {
    for (const to of next(queue.shift()!)) {
      expect(STATES[kind][to]).toBeDefined();
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}
