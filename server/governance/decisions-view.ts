// The case page's "decisions" part. OWNER: helper "decisions".
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import type { SignedInMember } from '../auth/signed-in-member';

export async function decisionsView(_db: Kysely<Database>, _member: SignedInMember, _detail: CaseDetail, _now: Date) {
  return null;
}
