/**
 * What other parts of the system (outbound mail) hear about a case. The dashboard and the
 * follow-up page call these after their transaction commits; main.ts wires the mail notifications.
 * Events carry ids only, never content.
 */
export interface CaseEvents {
  /** A new case was stored; `readerIds` are the readers it was stored with, when the caller has them at hand. */
  caseStored(caseId: string, readerIds?: readonly string[]): Promise<void>;
  messageAdded(caseId: string, authorMemberId: string | null): Promise<void>;
  assigned(caseId: string, assigneeId: string): Promise<void>;
  /** A response-time clock ran out: every reader of the case is told. */
  overdue(caseId: string): Promise<void>;
  /** A passed decision appointed the member liaison on the case: the liaison is told. */
  liaisonAppointed(caseId: string, memberId: string): Promise<void>;
  /** A decision was proposed, turned into a vote, or closed: its eligible approvers are told (server/governance/decisions.ts). */
  decisionChanged(proposalId: string, change: DecisionChange): Promise<void>;
  /** Every message of a referral to the CNCF CoC Committee has its committee packet: it can be mailed. */
  referralReady(caseId: string, referralId: string): Promise<void>;
  /** A closed meeting was called, moved or cancelled, or someone was removed from it: each changed copy is mailed. */
  meetingChanged(meetingId: string): Promise<void>;
  /** A notice to the CNCF central record was written: one mail to the committee. */
  cncfNoticeReady(caseId: string, noticeId: string): Promise<void>;
  /** The embargo of the case ends in `daysBefore` days (on `embargoOn`): every reader is told, once. */
  embargoReminder(caseId: string, embargoOn: string, daysBefore: number): Promise<void>;
  /** A reader's browser encrypted the advisory (or release notice) to a distributor's key: it can be mailed. */
  distributorSending(caseId: string, sendingId: string): Promise<void>;
  /** The case's content will be deleted on `deleteOn` (retention): every reader is told, once per date. */
  retentionWarning(caseId: string, deleteOn: Date): Promise<void>;
  /** The SRT's yearly review is due in a month, or overdue: every approver is told (once per due date; srt-review.ts). */
  srtReviewReminder(reminder: 'month-before' | 'overdue', dueAt: Date): Promise<void>;
}

export type DecisionChange = 'proposed' | 'vote-called' | 'closed';

export const silentCaseEvents: CaseEvents = {
  caseStored: async () => undefined,
  messageAdded: async () => undefined,
  assigned: async () => undefined,
  overdue: async () => undefined,
  liaisonAppointed: async () => undefined,
  decisionChanged: async () => undefined,
  referralReady: async () => undefined,
  meetingChanged: async () => undefined,
  cncfNoticeReady: async () => undefined,
  embargoReminder: async () => undefined,
  distributorSending: async () => undefined,
  retentionWarning: async () => undefined,
  srtReviewReminder: async () => undefined,
};
