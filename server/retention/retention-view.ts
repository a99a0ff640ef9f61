// The case page's retention: when the content goes, the legal hold (issue 12 §3). The date is shown
// all along: the rule while the case is open, the day once it is closed, "deleted on" afterwards.
// OWNER: helper "retention".
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { caseRetentionFacts } from '../../db/retention.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { addDays, deletionDate, isCountingDown, retentionPolicy } from './retention-rules';

export interface RetentionView {
  /** Days the content of a closed case of this kind is kept (the charter's). */
  days: number;
  countingDown: boolean;
  /** When the content goes as things stand (null: not counting down, or held). */
  deleteOn: Date | null;
  /** Whether the readers have been warned about that date. */
  warned: boolean;
  deletedOn: Date | null;
  hold: { placedAt: Date; placedBy: string | null } | null;
  canPlaceHold: boolean;
  canProposeLift: boolean;
}

/** What the case page shows of it to this member (a reader: the page is theirs only). */
export async function retentionView(
  db: Kysely<Database>,
  member: SignedInMember,
  detail: CaseDetail,
  now: Date,
): Promise<RetentionView> {
  const [policy, facts] = await Promise.all([retentionPolicy(db), caseRetentionFacts(db, detail.id)]);
  const days = policy[detail.kind].days;
  const countingDown = facts.contentDeletedAt === null && isCountingDown(detail.kind, detail.status);
  const clockDue = addDays(facts.startedAt, days);
  const deleteOn = countingDown && !facts.hold ? deletionDate(clockDue, facts, now) : null;
  return {
    days,
    countingDown,
    deleteOn,
    warned: deleteOn !== null && facts.warnedFor?.getTime() === clockDue.getTime(),
    deletedOn: facts.contentDeletedAt,
    hold: facts.hold && { placedAt: facts.hold.placedAt, placedBy: facts.hold.placedByName },
    canPlaceHold: facts.contentDeletedAt === null && !facts.hold && member.role !== 'liaison',
    canProposeLift: facts.hold !== null && member.role === 'approver',
  };
}
