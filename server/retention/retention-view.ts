// The case page's retention: when the content goes, the legal hold (issue 12 §3). OWNER: helper "retention".
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import type { SignedInMember } from '../auth/signed-in-member';

/** What the case page shows of it to this member; null: nothing. */
export async function retentionView(
  _db: Kysely<Database>,
  _member: SignedInMember,
  _detail: CaseDetail,
  _now: Date,
): Promise<Record<string, unknown> | null> {
  return null;
}
