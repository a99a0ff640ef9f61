// What a liaison may not do (DESIGN §3, issue 10 §5): it reads its cases, comments to the readers
// and records the committee's decision; the workflow, the reporter and access stay the approvers'.
import type { SignedInMember } from '../auth/signed-in-member';
import { forbidden } from '../errors';

export const LIAISON_CAN =
  'As the liaison you can read this case, comment to its readers and record the decision of the CNCF Code of Conduct Committee; ' +
  'moving the case, replying to the reporter, granting access, conflicts and decisions stay with the approvers.';

/** Refuses (403) an action a liaison may not take; `what` completes "A liaison cannot …". */
export function refuseLiaison(member: Pick<SignedInMember, 'role'>, what: string): void {
  if (member.role === 'liaison') throw forbidden(`A liaison cannot ${what}. ${LIAISON_CAN}`);
}
