// The small-count rule of the transparency report (issue 11 §5). A count from 1 to threshold − 1
// could point at a case, so it is shown only as "fewer than N". A total that includes such a count
// is not shown at all: with the other parts exact it would give the small one away by subtraction,
// and two small parts under a "fewer than N" total could each be only 1. So every exact figure on
// the report adds up exact figures only, and a small count can take any value from 1 to N − 1
// without changing anything the report shows. A change against the previous period is shown only
// when both figures are exact (each period's report shows it already): it reveals nothing new.

export type Figure =
  | { shown: 'exact'; value: number }
  | { shown: 'small' }
  /** A total not shown because it includes a small count. */
  | { shown: 'withheld' };

export type Change = { shown: 'exact'; value: number } | { shown: 'hidden' };

export function isSmall(count: number, threshold: number): boolean {
  return count > 0 && count < threshold;
}

/** A count that is a single cell. */
export function cellFigure(count: number, threshold: number): Figure {
  return isSmall(count, threshold) ? { shown: 'small' } : { shown: 'exact', value: count };
}

/** A total over `parts` (the cells it adds up). */
export function totalFigure(parts: readonly number[], threshold: number): Figure {
  if (parts.some((part) => isSmall(part, threshold))) return { shown: 'withheld' };
  return { shown: 'exact', value: parts.reduce((sum, part) => sum + part, 0) };
}

export function changeBetween(current: Figure, previous: Figure): Change {
  return current.shown === 'exact' && previous.shown === 'exact'
    ? { shown: 'exact', value: current.value - previous.value }
    : { shown: 'hidden' };
}

/** The figure in words, the same on the page, in the CSV and in the Markdown. */
export function figureWords(figure: Figure, threshold: number): string {
  if (figure.shown === 'exact') return String(figure.value);
  if (figure.shown === 'small') return `fewer than ${threshold}`;
  return 'not shown';
}

export function changeWords(change: Change): string {
  if (change.shown === 'hidden') return 'not shown';
  if (change.value === 0) return 'no change';
  return change.value > 0 ? `+${change.value}` : `−${-change.value}`;
}
