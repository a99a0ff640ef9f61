// The case page's advisory draft, exports and publishing (issue 12 §1). OWNER: helper "advisory".
// Only typed facts: the draft itself is decrypted in the reader's browser.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { advisoryDraftCount, advisoryPublishedAt } from '../../db/advisory.queries';
import { hasOpenOrPassedProposal } from '../../db/proposals.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { canMoveByDecision, stateOf } from '../cases/workflow';
import { REFERENCE_TYPES, CREDIT_TYPES, OSV_ECOSYSTEMS } from './advisory-draft';
import { PUBLISHED } from './advisory-publish';

export interface AdvisoryView {
  drafts: number;
  /** When the advisory was published (by decision), or null. */
  publishedAt: Date | null;
  /** The case's free-text affected versions, shown beside the ranges the reader writes. */
  affectedVersions: string | null;
  /** The case is in the state a publication is decided from. */
  publishable: boolean;
  /** A publication is proposed (open) or decided already. */
  proposed: boolean;
  closed: boolean;
  statusLabel: string;
  words: { ecosystems: string; credits: string; references: string };
}

/** What the case page shows of it to this member; null: nothing (not a security case, or a liaison). */
export async function advisoryView(
  db: Kysely<Database>,
  member: SignedInMember,
  detail: CaseDetail,
  _now: Date,
): Promise<AdvisoryView | null> {
  if (detail.kind !== 'security' || member.role === 'liaison') return null;
  const [drafts, publishedAt, proposed] = await Promise.all([
    advisoryDraftCount(db, detail.id),
    advisoryPublishedAt(db, detail.id),
    hasOpenOrPassedProposal(db, detail.id, 'publish-advisory'),
  ]);
  const state = stateOf(detail.kind, detail.status);
  return {
    drafts,
    publishedAt,
    affectedVersions: detail.affectedVersions,
    publishable: canMoveByDecision(detail.kind, detail.status, PUBLISHED),
    proposed,
    closed: Boolean(state.terminal),
    statusLabel: state.label,
    words: {
      ecosystems: OSV_ECOSYSTEMS.join(', '),
      credits: CREDIT_TYPES.join(', '),
      references: REFERENCE_TYPES.join(', '),
    },
  };
}
