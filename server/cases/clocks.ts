// Response-time clocks: the project's promised times, counted in business days (Monday to Friday, UTC).
import type { CaseKind } from '../../db/database';

export interface ResponseTargets {
  acknowledgeDays: Readonly<Record<CaseKind, number>>;
  triageDays: Readonly<Record<CaseKind, number>>;
}

/** Kmesh's security policy promises acknowledgement in 2 business days; the CNCF CoC in 3. */
export const DEFAULT_TARGETS: ResponseTargets = {
  acknowledgeDays: { security: 2, coc: 3 },
  triageDays: { security: 10, coc: 10 },
};

export function addBusinessDays(from: Date, days: number): Date {
  const result = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    result.setUTCDate(result.getUTCDate() + 1);
    const weekday = result.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return result;
}

export function dueDates(
  kind: CaseKind,
  receivedAt: Date,
  targets: ResponseTargets = DEFAULT_TARGETS,
): { acknowledgeDueAt: Date; triageDueAt: Date } {
  return {
    acknowledgeDueAt: addBusinessDays(receivedAt, targets.acknowledgeDays[kind]),
    triageDueAt: addBusinessDays(receivedAt, targets.triageDays[kind]),
  };
}

export interface ClockState {
  acknowledgedAt: Date | null;
  triagedAt: Date | null;
  acknowledgeDueAt: Date | null;
  triageDueAt: Date | null;
  createdAt: Date;
}

/** A clock that ran out before its step was done. */
export function isOverdue(c: ClockState, now: Date = new Date()): boolean {
  return (
    (c.acknowledgedAt === null && c.acknowledgeDueAt !== null && c.acknowledgeDueAt < now) ||
    (c.triagedAt === null && c.triageDueAt !== null && c.triageDueAt < now)
  );
}

/** How long a step took (or has been waiting), in hours, for display. */
export function elapsedHours(from: Date, to: Date | null, now: Date = new Date()): number {
  return Math.round(((to ?? now).getTime() - from.getTime()) / 36e5);
}
