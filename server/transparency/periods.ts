// The transparency report's periods (issue 11 §5): runs of `months` calendar months (UTC) from each
// January, so that "January–June 2026" means the same to every reader; when `months` does not divide
// twelve, the year's last period is shorter. Only a completed period is ever reported.
import { badInput } from '../errors';

export interface ReportPeriod {
  /** The first month, as in URLs and file names: "2026-01". */
  id: string;
  start: Date;
  /** Exclusive. */
  end: Date;
  months: number;
  label: string;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** Periods listed on the page, newest first. */
const MAX_LISTED = 40;

export function periodStartingAt(year: number, month: number, months: number): ReportPeriod {
  const endMonth = Math.min(month + months, 12);
  const start = new Date(Date.UTC(year, month, 1));
  const end = new Date(Date.UTC(year, endMonth, 1));
  const last = endMonth - 1;
  const label =
    months >= 12 && month === 0
      ? String(year)
      : last === month
        ? `${MONTHS[month]} ${year}`
        : `${MONTHS[month]}–${MONTHS[last]} ${year}`;
  return { id: `${year}-${String(month + 1).padStart(2, '0')}`, start, end, months, label };
}

export function periodContaining(at: Date, months: number): ReportPeriod {
  const month = at.getUTCMonth();
  return periodStartingAt(at.getUTCFullYear(), month - (month % months), months);
}

export function previousPeriod(period: ReportPeriod): ReportPeriod {
  return periodContaining(new Date(period.start.getTime() - 1), period.months);
}

/** The last period that has ended by `now`. */
export function lastCompletedPeriod(now: Date, months: number): ReportPeriod {
  return previousPeriod(periodContaining(now, months));
}

/** The completed periods from the one holding `earliest` (the first case), newest first. */
export function completedPeriods(now: Date, months: number, earliest: Date | null): ReportPeriod[] {
  const periods: ReportPeriod[] = [];
  let period = lastCompletedPeriod(now, months);
  const from = earliest ? periodContaining(earliest, months).start.getTime() : period.start.getTime();
  while (periods.length < MAX_LISTED && period.start.getTime() >= from) {
    periods.push(period);
    period = previousPeriod(period);
  }
  return periods.length > 0 ? periods : [lastCompletedPeriod(now, months)];
}

/** The period a request names ("2026-01"), checked: a period of the current length, and completed. */
export function parsePeriod(value: unknown, now: Date, months: number): ReportPeriod {
  if (value === undefined || value === '') return lastCompletedPeriod(now, months);
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})$/.exec(value) : null;
  const year = Number(match?.[1]);
  const month = Number(match?.[2]) - 1;
  if (!match || year < 2000 || month < 0 || month > 11)
    throw badInput('Choose a period by its first month, written like 2026-01.');
  if (month % months !== 0)
    throw badInput(
      `Periods are ${months} month${months === 1 ? '' : 's'} long from January: ${value} does not begin one.`,
    );
  const period = periodStartingAt(year, month, months);
  if (period.end.getTime() > now.getTime())
    throw badInput(`${period.label} has not ended yet: only completed periods are reported.`);
  return period;
}
