// The case page's "access" part. OWNER: helper "access". Who reads the case and why, the grants
// still pending (flagged to every reader when one waits too long), the referrals to the committee,
// and the note that revoking access cannot recall what was downloaded.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { pendingGrants } from '../../db/grants.queries';
import { caseReadersWithVia } from '../../db/readers.queries';
import { currentCommitteeKey } from '../../db/committee.queries';
import { caseReferrals, messagesNotReferred } from '../../db/referrals.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { VIA_WORDS } from '../audit/audit-sentences';

export const DEFAULT_GRANT_WAIT_WARNING_HOURS = 24;

export async function accessView(
  db: Kysely<Database>,
  member: SignedInMember,
  detail: CaseDetail,
  now: Date,
  options: { grantWaitWarningHours?: number } = {},
) {
  const warnAfterMs = (options.grantWaitWarningHours ?? DEFAULT_GRANT_WAIT_WARNING_HOURS) * 3_600_000;
  const [readers, pending, referrals, committee] = await Promise.all([
    caseReadersWithVia(db, detail.id),
    pendingGrants(db, detail.id),
    caseReferrals(db, detail.id),
    currentCommitteeKey(db),
  ]);
  const names = new Map(readers.map((r) => [r.id, r.name]));
  const grants = pending.map((p) => {
    const since = new Date(Math.min(...p.messages.map((m) => m.waitingSince.getTime())));
    return {
      grantee:
        p.grantee.kind === 'member'
          ? (names.get(p.grantee.memberId) ?? 'a reader')
          : `the CNCF CoC Committee (key ${p.fingerprint})`,
      granteeKind: p.grantee.kind,
      isMe: p.grantee.kind === 'member' && p.grantee.memberId === member.id,
      messages: p.messages.length,
      waitingSince: since,
      overdue: now.getTime() - since.getTime() > warnAfterMs,
    };
  });
  const unsent = referrals.length > 0 ? (await messagesNotReferred(db, detail.id)).length : 0;
  return {
    readers: readers.map((r) => ({ ...r, viaWords: VIA_WORDS[r.via] ?? r.via })),
    grants,
    anyOverdue: grants.some((g) => g.overdue),
    warningHours: warnAfterMs / 3_600_000,
    mayGrant: member.role !== 'liaison',
    referrals: referrals.map((r) => ({ createdAt: r.createdAt, sentAt: r.sentAt, messages: r.messageIds.length })),
    committeeEmail: committee?.email ?? null,
    canSendLater: member.role !== 'liaison' && referrals.length > 0 && unsent > 0 && committee !== undefined,
    unsent,
  };
}
