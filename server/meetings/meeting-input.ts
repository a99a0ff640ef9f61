// What a member types to call or move a closed meeting, checked: the time (UTC, or with an explicit
// offset), the duration, and the meeting link (https only). Bad input is refused beside its field.
import { badField } from '../field-errors';
import { textProblem } from '../text-checks';

export interface MeetingInput {
  startsAt: Date;
  durationMinutes: number;
  link: string;
}

export const MIN_DURATION_MINUTES = 5;
export const MAX_DURATION_MINUTES = 720;
const MAX_LINK_LENGTH = 500;

// 2026-12-03 14:00, 2026-12-03T14:00Z, 2026-12-03 14:00 UTC, 2026-12-03T14:00+02:00, …-0530.
const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The moment a member typed: UTC unless an offset is given. */
export function parseMeetingTime(typed: string): Date {
  const problem = textProblem(typed, 'The time', 100);
  if (problem) throw badField('startsAt', problem);
  const m = TIME.exec(typed.trim());
  if (!m)
    throw badField(
      'startsAt',
      'Write the time as YYYY-MM-DD HH:MM in UTC, or add your offset from UTC: 2026-12-03 14:00+01:00.',
    );
  const [, y, mo, d, h, mi, s, zone] = m;
  const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0)] as const;
  const utc = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  const check = new Date(utc);
  if (
    check.getUTCMonth() !== fields[1] - 1 ||
    check.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  )
    throw badField('startsAt', 'There is no such date or time. Check the day, month and hour.');
  return new Date(utc - offsetMinutes(zone) * 60_000);
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^(Z|UTC|GMT)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 14 || minutes > 59) throw badField('startsAt', 'An offset from UTC is at most ±14:00.');
  return sign * (hours * 60 + minutes);
}

export function parseDuration(typed: string): number {
  const value = typed.trim();
  if (!/^\d{1,4}$/.test(value)) throw badField('durationMinutes', 'Give the duration in whole minutes, such as 60.');
  const minutes = Number(value);
  if (minutes < MIN_DURATION_MINUTES || minutes > MAX_DURATION_MINUTES)
    throw badField(
      'durationMinutes',
      `A meeting lasts from ${MIN_DURATION_MINUTES} minutes to ${MAX_DURATION_MINUTES / 60} hours.`,
    );
  return minutes;
}

/** The link the caller gives: an https URL without credentials in it (invitations are mailed in the clear). */
export function parseMeetingLink(typed: string): string {
  const value = typed.trim();
  const problem = textProblem(value, 'The meeting link', MAX_LINK_LENGTH);
  if (problem) throw badField('link', problem);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badField('link', 'Give the meeting link as a full address starting with https://.');
  }
  if (url.protocol !== 'https:') throw badField('link', 'The meeting link must start with https://.');
  if (url.username || url.password)
    throw badField('link', 'The meeting link must not carry a user name or password: invitations are mailed.');
  if (/[\s<>"]/.test(value) || url.href.length > MAX_LINK_LENGTH)
    throw badField('link', 'The meeting link contains characters a link cannot have.');
  return url.href;
}

/** All three fields of the form; the time must lie ahead of `now`. */
export function parseMeetingInput(body: Record<string, string | undefined>, now: Date): MeetingInput {
  const startsAt = parseMeetingTime(body.startsAt ?? '');
  if (startsAt.getTime() <= now.getTime()) throw badField('startsAt', 'The meeting must start in the future.');
  return {
    startsAt,
    durationMinutes: parseDuration(body.durationMinutes ?? ''),
    link: parseMeetingLink(body.link ?? ''),
  };
}
