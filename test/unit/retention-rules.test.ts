// Which states count a case's content down, and when it goes: never sooner than a week after the
// readers were warned about that very date.
import {
  addDays,
  deletionDate,
  dueCases,
  isCountingDown,
  retentionStates,
} from '../../server/retention/retention-rules';

const now = new Date('2026-12-01T12:00:00Z');

test('security content counts down once published or closed in any way; CoC once closed', () => {
  expect(retentionStates('security').sort()).toEqual(
    ['closed', 'duplicate', 'not-a-vulnerability', 'out-of-scope', 'published', 'spam'].sort(),
  );
  expect(retentionStates('coc')).toEqual(['closed']);
  expect(isCountingDown('coc', 'resolved')).toBe(false);
  expect(isCountingDown('security', 'fixing')).toBe(false);
});

test('the deletion date: the clock, but a week after the warning about that date at the earliest', () => {
  const due = new Date('2026-11-01T00:00:00Z');
  expect(deletionDate(due, { warnedFor: null, warnedAt: null }, now)).toEqual(addDays(now, 7));
  expect(deletionDate(due, { warnedFor: due, warnedAt: addDays(now, -40) }, now)).toEqual(due);
  expect(deletionDate(due, { warnedFor: due, warnedAt: addDays(now, -2) }, now)).toEqual(addDays(now, 5));
  // A warning about another date (the clock restarted, the charter changed) does not count.
  const later = addDays(now, 30);
  expect(deletionDate(later, { warnedFor: due, warnedAt: addDays(now, -10) }, now)).toEqual(later);
});

test('what is due: unheld by their deletion date, held ones listed with their clock', () => {
  const row = (reference: string, clockDueAt: Date, held: boolean, warnedAt: Date | null) => ({
    id: reference,
    reference,
    kind: 'security' as const,
    status: 'closed',
    clockDueAt,
    warnedFor: warnedAt ? clockDueAt : null,
    warnedAt,
    held,
  });
  const past = addDays(now, -1);
  const due = dueCases(
    [row('A', past, false, addDays(now, -8)), row('B', past, false, null), row('C', past, true, null)],
    now,
  );
  expect(due).toEqual([
    { reference: 'A', kind: 'security', deleteOn: past, held: false },
    { reference: 'C', kind: 'security', deleteOn: past, held: true },
  ]);
});
