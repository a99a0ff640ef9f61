// The SRT's yearly review (issue 11 §2): a decision "the SRT has been reviewed", due a year after
// the last one. OWNER: helper "srt".
//
// Due a year after the latest review or appointment by decision (appointing the team is reviewing
// who is on it); before either, a year after the installation's first approver was added, since
// only from then can the approvers review anything. Reminders: a month before the due date and
// once it has passed, each once per due date.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { approverIds } from '../../db/decision-people.queries';
import { listMembersWithKeys } from '../../db/members.queries';
import {
  claimSrtReminder,
  firstApproverAddedAt,
  insertSrtReview,
  latestSrtReview,
  proposalClosedAt,
} from '../../db/srt.queries';
import { appendAudit } from '../audit/audit-log';
import type { CaseEvents } from '../cases/case-events';
import { badInput } from '../errors';
import type { GovernanceActor } from './governance-actor';
import { srtStatus } from './routing';

type Db = Kysely<Database> | Transaction<Database>;

export type SrtReminderKind = 'month-before' | 'overdue';

export interface SrtReviewDue {
  /** null: no approver yet, nothing to review. */
  dueAt: Date | null;
  /** What the due date counts from. */
  since: { at: Date; basis: 'reviewed' | 'appointed' | 'first-approver' } | null;
  state: 'none' | 'not-due' | 'due-soon' | 'overdue';
}

const addMonths = (at: Date, months: number) => {
  const d = new Date(at.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
};

/** When the next review is due, by the decisions clock `now`. */
export async function srtReviewDue(db: Db, now: Date): Promise<SrtReviewDue> {
  const last = await latestSrtReview(db);
  const first = last ? null : await firstApproverAddedAt(db);
  const since = last
    ? { at: last.at, basis: last.kind }
    : first
      ? { at: first, basis: 'first-approver' as const }
      : null;
  if (!since) return { dueAt: null, since: null, state: 'none' };
  const dueAt = addMonths(since.at, 12);
  const state = now >= dueAt ? 'overdue' : now >= addMonths(dueAt, -1) ? 'due-soon' : 'not-due';
  return { dueAt, since, state };
}

/** A review records that the team is as the governance asks: not while a delegated team is below two. */
export async function checkSrtReview(db: Db): Promise<void> {
  const { warning } = srtStatus(await listMembersWithKeys(db));
  if (warning) throw badInput(`${warning} Appoint a team instead of recording a review.`);
}

export async function recordSrtReview(trx: Transaction<Database>, actor: GovernanceActor): Promise<void> {
  const proposalId = actor.proposalId ?? null;
  const at = (proposalId && (await proposalClosedAt(trx, proposalId))) || new Date();
  const previous = await srtReviewDue(trx, at);
  await insertSrtReview(trx, 'reviewed', at, proposalId);
  await appendAudit(trx, {
    caseId: null,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'srt.reviewed',
    details: {
      wasDueAt: previous.dueAt?.toISOString() ?? null,
      nextDueAt: addMonths(at, 12).toISOString(),
      ...(proposalId ? { proposalId } : {}),
    },
  });
}

/**
 * The reminder due at `now`, if not sent yet for this due date: recorded (and audited) by whichever
 * instance inserts its row first, then mailed to every approver through the queue. Returns what was sent.
 */
export async function remindSrtReview(
  db: Kysely<Database>,
  events: Pick<CaseEvents, 'srtReviewReminder'>,
  now: Date,
): Promise<SrtReminderKind | null> {
  const due = await srtReviewDue(db, now);
  if (!due.dueAt || (due.state !== 'overdue' && due.state !== 'due-soon')) return null;
  const dueAt = due.dueAt;
  const kind: SrtReminderKind = due.state === 'overdue' ? 'overdue' : 'month-before';
  const claimed = await db.transaction().execute(async (trx) => {
    if (!(await claimSrtReminder(trx, dueAt, kind, now))) return false;
    const approvers = (await approverIds(trx)).length;
    await appendAudit(trx, {
      caseId: null,
      actorLabel: 'system',
      actorMemberId: null,
      action: 'srt.review-reminded',
      details: { reminder: kind, dueAt: dueAt.toISOString(), approvers },
    });
    return true;
  });
  if (!claimed) return null;
  await events.srtReviewReminder(kind, dueAt);
  return kind;
}
