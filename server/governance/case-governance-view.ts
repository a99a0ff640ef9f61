// What the case page shows of a case's governance: access (readers, pending grants), decisions,
// conflicts, closed meetings, the CNCF record, the advisory and embargo, retention. Each part comes
// from the module that owns it; null: nothing to show this member.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { accessView } from './access-view';
import { cncfRecordView } from './cncf-record-view';
import { conflictsView } from './conflicts-view';
import { decisionsView } from './decisions-view';
import { meetingsView } from '../meetings/meetings-view';
import { advisoryView } from '../disclosure/advisory-view';
import { embargoView } from '../disclosure/embargo-view';
import { retentionView } from '../retention/retention-view';

export async function caseGovernanceView(
  db: Kysely<Database>,
  member: SignedInMember,
  detail: CaseDetail,
  now: Date,
  options: { grantWaitWarningHours?: number } = {},
) {
  const [access, decisions, conflicts, meetings, cncfRecord, advisory, embargo, retention] = await Promise.all([
    accessView(db, member, detail, now, options),
    decisionsView(db, member, detail, now),
    conflictsView(db, member, detail, now),
    meetingsView(db, member, detail, now),
    cncfRecordView(db, member, detail, now),
    advisoryView(db, member, detail, now),
    embargoView(db, member, detail, now),
    retentionView(db, member, detail, now),
  ]);
  return { access, decisions, conflicts, meetings, cncfRecord, advisory, embargo, retention };
}
