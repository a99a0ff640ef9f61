// Medians of the transparency report: shown only over at least `threshold` cases (fewer could let a
// reader who knows one case's dates work out another's), in hours or days.
import type { ResponseTime } from '../../db/transparency.queries';

export type TimeFigure =
  | { shown: 'exact'; seconds: number; cases: number }
  /** Fewer cases than the threshold. */
  | { shown: 'too-few' }
  | { shown: 'none' };

export type TimeChange = { shown: 'exact'; seconds: number } | { shown: 'hidden' };

export function medianFigure(time: ResponseTime | undefined, threshold: number): TimeFigure {
  if (!time || time.count === 0 || time.medianSeconds === null) return { shown: 'none' };
  if (time.count < threshold) return { shown: 'too-few' };
  return { shown: 'exact', seconds: time.medianSeconds, cases: time.count };
}

export function timeChange(current: TimeFigure, previous: TimeFigure): TimeChange {
  return current.shown === 'exact' && previous.shown === 'exact'
    ? { shown: 'exact', seconds: current.seconds - previous.seconds }
    : { shown: 'hidden' };
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** "18.5 hours", "3.2 days". */
export function durationWords(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 2 * DAY) {
    const hours = (abs / HOUR).toFixed(1);
    return `${hours} ${hours === '1.0' ? 'hour' : 'hours'}`;
  }
  return `${(abs / DAY).toFixed(1)} days`;
}

export function timeWords(figure: TimeFigure, threshold: number): string {
  if (figure.shown === 'exact') return durationWords(figure.seconds);
  if (figure.shown === 'too-few') return `not shown (fewer than ${threshold} cases)`;
  return 'no cases';
}

export function timeChangeWords(change: TimeChange): string {
  if (change.shown === 'hidden') return 'not shown';
  if (Math.round(change.seconds / 360) === 0) return 'no change';
  return `${change.seconds > 0 ? '+' : '−'}${durationWords(change.seconds)}`;
}
