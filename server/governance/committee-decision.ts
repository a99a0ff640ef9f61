// The liaison's typed entry "the committee's decision" (issue 10 §5): encrypted in the liaison's
// browser to the case's readers like a comment; "the committee has closed its case" ends the
// appointment in the same transaction, after the entry is stored.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { addressCaseMessage, insertCaseMessage } from '../cases/case-messages';
import { requireReadableCase } from '../cases/case-work';
import { forbidden } from '../errors';
import { endLiaison, isCurrentLiaison } from './liaison';

export async function recordCommitteeDecision(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  input: { message: string; committeeClosed: boolean },
  events: CaseEvents,
): Promise<{ id: string; appointmentEnded: boolean }> {
  const found = await requireReadableCase(db, member, reference);
  if (member.role !== 'liaison' || !(await isCurrentLiaison(db, found.id, member.id)))
    throw forbidden(
      'Only the liaison appointed to this case records the decision of the CNCF Code of Conduct Committee.',
    );
  const addressed = await addressCaseMessage(db, found, {
    role: 'committee-decision',
    authorMemberId: member.id,
    message: input.message,
    withReporter: false,
    auditDetails: { committeeClosed: input.committeeClosed },
  });
  const id = await db.transaction().execute(async (trx) => {
    const id = await insertCaseMessage(trx, found.id, addressed);
    if (input.committeeClosed)
      await endLiaison(trx, found.id, member.id, 'committee-closed', { actorMemberId: member.id });
    return id;
  });
  await events.messageAdded(found.id, member.id);
  return { id, appointmentEnded: input.committeeClosed };
}
