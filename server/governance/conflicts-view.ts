// The case page's "conflicts" part. OWNER: helper "conflicts".
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import type { SignedInMember } from '../auth/signed-in-member';

export async function conflictsView(_db: Kysely<Database>, _member: SignedInMember, _detail: CaseDetail, _now: Date) {
  return null;
}
