// What the case page shows of a case's governance: access (readers, pending grants), decisions,
// conflicts. Each part comes from the module that owns it; null: nothing to show this member.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { accessView } from './access-view';
import { conflictsView } from './conflicts-view';
import { decisionsView } from './decisions-view';

export async function caseGovernanceView(
  db: Kysely<Database>,
  member: SignedInMember,
  detail: CaseDetail,
  now: Date,
  options: { grantWaitWarningHours?: number } = {},
) {
  const [access, decisions, conflicts] = await Promise.all([
    accessView(db, member, detail, now, options),
    decisionsView(db, member, detail, now),
    conflictsView(db, member, detail, now),
  ]);
  return { access, decisions, conflicts };
}
