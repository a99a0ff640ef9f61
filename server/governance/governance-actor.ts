import type { AuditActorLabel } from '../audit/audit-log';

/**
 * Who causes a governance change, for its audit row: a member, or the system carrying out a
 * decision (proposalId names the decision), or the operator.
 */
export interface GovernanceActor {
  actorMemberId: string | null;
  actorLabel?: AuditActorLabel;
  /** The decision that made the change, when one did. */
  proposalId?: string | null;
}

export const BY_SYSTEM: GovernanceActor = { actorMemberId: null, actorLabel: 'system' };
