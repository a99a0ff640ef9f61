// Days of the embargo, as the case page gives them: 'YYYY-MM-DD' in UTC. An embargo "until" a day
// ends at midnight UTC at the start of that day, which is when the advisory may be published.
import { TEXT_LIMITS, checkText } from '../text-checks';
import { FieldError } from '../field-errors';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The day as 'YYYY-MM-DD', refused (under `field`) unless it is one. */
export function parseDay(input: string, field: string, label: string): string {
  const value = checkText(input, label, TEXT_LIMITS.code).trim();
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
    throw new FieldError(field, `${label}: give it as YYYY-MM-DD.`);
  return value;
}

/** The moment the embargo of that day ends. */
export function embargoEnds(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function dayOf(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** Whole and partial days from `now` until the embargo of `day` ends (negative once it has). */
export function daysUntil(day: string, now: Date): number {
  return (embargoEnds(day).getTime() - now.getTime()) / DAY_MS;
}

/** The embargo day has come with no advisory published: the case is flagged. */
export function embargoPassed(day: string | null, status: string, now: Date): boolean {
  return day !== null && status !== 'published' && now.getTime() >= embargoEnds(day).getTime();
}
