// The case page's CNCF central-record notices and legal consultations (issue 11 §4). OWNER: helper "cncf".
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import type { SignedInMember } from '../auth/signed-in-member';

/** What the case page shows of it to this member; null: nothing. */
export async function cncfRecordView(
  _db: Kysely<Database>,
  _member: SignedInMember,
  _detail: CaseDetail,
  _now: Date,
): Promise<Record<string, unknown> | null> {
  return null;
}
