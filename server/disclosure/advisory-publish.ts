// Publishing a security case's advisory is a decision (issue 12 §1); it moves the case to
// `published`. It can be proposed, and carried out, only from `fixing` (the one state the workflow
// reaches `published` from; a case with no fix yet moves to `fixing` first, because `published`
// tells the reporter "fixed and disclosed") and only once an advisory draft is saved.
// OWNER: helper "advisory".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { advisoryDraftCount } from '../../db/advisory.queries';
import { caseKindAndStatus } from '../../db/liaison.queries';
import { appendAudit } from '../audit/audit-log';
import { moveCaseByDecision } from '../cases/case-work';
import { canMoveByDecision, stateOf } from '../cases/workflow';
import { badInput, notFound } from '../errors';
import type { GovernanceActor } from '../governance/governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

export const PUBLISHED = 'published';

export async function checkAdvisoryPublication(db: Db, caseId: string): Promise<void> {
  const found = await caseKindAndStatus(db, caseId);
  if (!found) throw notFound('There is no case with this reference.');
  if (found.kind !== 'security') throw badInput('Only a security case has an advisory to publish.');
  if (!canMoveByDecision(found.kind, found.status, PUBLISHED))
    throw badInput(
      found.status === PUBLISHED
        ? 'This advisory is published already.'
        : `An advisory is published from "Fixing"; this case is in "${stateOf(found.kind, found.status).label}".`,
    );
  if ((await advisoryDraftCount(db, caseId)) === 0)
    throw badInput('Save an advisory draft first: the decision publishes it.');
}

export async function publishAdvisory(
  trx: Transaction<Database>,
  caseId: string,
  actor: GovernanceActor,
): Promise<void> {
  await checkAdvisoryPublication(trx, caseId);
  const from = await moveCaseByDecision(trx, { id: caseId, kind: 'security' }, PUBLISHED, actor);
  await appendAudit(trx, {
    caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'advisory.published',
    details: { from, to: PUBLISHED, ...(actor.proposalId ? { proposalId: actor.proposalId } : {}) },
  });
}
