// The transparency report's periods and its small-count rule, as plain functions (issue 11 §5).
import {
  completedPeriods,
  lastCompletedPeriod,
  parsePeriod,
  periodContaining,
  previousPeriod,
} from '../../server/transparency/periods';
import {
  cellFigure,
  changeBetween,
  changeWords,
  figureWords,
  totalFigure,
} from '../../server/transparency/small-counts';
import { durationWords, medianFigure, timeWords } from '../../server/transparency/response-times';
import { DomainError } from '../../server/errors';

const utc = (y: number, m: number, d = 1, h = 0) => new Date(Date.UTC(y, m - 1, d, h));
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'bad-input') return error.message;
    throw error;
  }
  throw new Error('expected a refusal');
};

test('half-years from January, named in words; the previous period crosses the year', () => {
  const h1 = periodContaining(utc(2026, 3, 15), 6);
  expect(h1).toMatchObject({ id: '2026-01', start: utc(2026, 1), end: utc(2026, 7), label: 'January–June 2026' });
  expect(previousPeriod(h1)).toMatchObject({ id: '2025-07', label: 'July–December 2025', end: utc(2026, 1) });
  expect(periodContaining(utc(2026, 5, 1), 1).label).toBe('May 2026');
  expect(periodContaining(utc(2026, 5, 1), 12).label).toBe('2026');
  // Five months do not divide the year: the last period is November–December.
  expect(periodContaining(utc(2026, 12, 31, 23), 5)).toMatchObject({ id: '2026-11', end: utc(2027, 1) });
  expect(previousPeriod(periodContaining(utc(2027, 2, 1), 5)).id).toBe('2026-11');
});

test('only completed periods: the running one is never the default nor accepted', () => {
  const now = utc(2026, 12, 1, 15);
  expect(lastCompletedPeriod(now, 6).id).toBe('2026-01');
  expect(parsePeriod(undefined, now, 6).id).toBe('2026-01');
  expect(refusal(() => parsePeriod('2026-07', now, 6))).toBe(
    'July–December 2026 has not ended yet: only completed periods are reported.',
  );
  // A period ends at the first instant of the next: completed exactly then.
  expect(parsePeriod('2026-01', utc(2026, 7), 6).id).toBe('2026-01');
  expect(refusal(() => parsePeriod('2026-01', new Date(utc(2026, 7).getTime() - 1), 6))).toMatch(/not ended yet/);
});

test('bad periods are refused in words', () => {
  const now = utc(2026, 12, 1);
  for (const value of ['2026-1', '26-01', '2026-13', '2026-00', '1999-01', ['2026-01'], '2026-01x'])
    expect(refusal(() => parsePeriod(value, now, 6))).toBe('Choose a period by its first month, written like 2026-01.');
  expect(refusal(() => parsePeriod('2026-03', now, 6))).toBe(
    'Periods are 6 months long from January: 2026-03 does not begin one.',
  );
});

test('the periods offered run from the first case to the last completed one, newest first', () => {
  const ids = completedPeriods(utc(2026, 12, 1), 6, utc(2025, 3, 4)).map((p) => p.id);
  expect(ids).toEqual(['2026-01', '2025-07', '2025-01']);
  expect(completedPeriods(utc(2026, 12, 1), 6, null).map((p) => p.id)).toEqual(['2026-01']);
});

test('the small-count rule on cells, totals and changes', () => {
  expect(figureWords(cellFigure(0, 3), 3)).toBe('0');
  expect(figureWords(cellFigure(1, 3), 3)).toBe('fewer than 3');
  expect(figureWords(cellFigure(2, 3), 3)).toBe('fewer than 3');
  expect(figureWords(cellFigure(3, 3), 3)).toBe('3');
  expect(figureWords(totalFigure([5, 4, 0], 3), 3)).toBe('9');
  expect(figureWords(totalFigure([5, 2], 3), 3)).toBe('not shown');
  // Two small parts under a small total would each be 1: the total is withheld too.
  expect(figureWords(totalFigure([1, 1], 3), 3)).toBe('not shown');
  expect(changeWords(changeBetween(cellFigure(7, 3), cellFigure(4, 3)))).toBe('+3');
  expect(changeWords(changeBetween(cellFigure(4, 3), cellFigure(7, 3)))).toBe('−3');
  expect(changeWords(changeBetween(cellFigure(4, 3), cellFigure(4, 3)))).toBe('no change');
  expect(changeWords(changeBetween(cellFigure(9, 3), cellFigure(2, 3)))).toBe('not shown');
  expect(changeWords(changeBetween(cellFigure(0, 3), totalFigure([1, 5], 3)))).toBe('not shown');
});

test('medians need the threshold’s number of cases, and read in hours or days', () => {
  expect(timeWords(medianFigure({ count: 2, medianSeconds: 3600 }, 3), 3)).toBe('not shown (fewer than 3 cases)');
  expect(timeWords(medianFigure({ count: 0, medianSeconds: null }, 3), 3)).toBe('no cases');
  expect(timeWords(medianFigure({ count: 3, medianSeconds: 5400 }, 3), 3)).toBe('1.5 hours');
  expect(durationWords(3 * 86400 + 4 * 3600)).toBe('3.2 days');
});
