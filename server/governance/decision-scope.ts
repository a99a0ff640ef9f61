// Who may see and act on a proposal: a case's proposals live among the member's readable cases
// (anyone else finds nothing, exactly like a missing case), the project's among approvers; liaisons
// see no decisions; only an eligible approver acts.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { CaseDetail } from '../../db/case-view.queries';
import { lockProposal } from '../../db/proposals.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import { requireReadableCase } from '../cases/case-work';
import { DomainError, badInput, forbidden, notFound } from '../errors';
import { badField } from '../field-errors';
import { electorateOf } from './decision-settle';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where a proposal lives: on a case (by its reference, which the member must read) or on the project. */
export type ProposalScope = { reference: string } | 'project';

export const PROPOSAL_NOT_FOUND = 'There is no such proposal.';

export async function requireEligible(
  db: Kysely<Database>,
  member: SignedInMember,
  caseId: string | null,
): Promise<void> {
  const electorate = await electorateOf(db, caseId);
  if (electorate.eligible.has(member.id)) return;
  throw forbidden(
    member.role === 'approver'
      ? 'You have a conflict of interest on this case: you read it, but you do not propose or vote on it.'
      : 'Only approvers propose, object and vote.',
  );
}

/** The case of the scope (only among the member's readable cases), or null for the project; liaisons see no decisions. */
export async function scopeCase(
  db: Kysely<Database>,
  member: SignedInMember,
  scope: ProposalScope,
): Promise<CaseDetail | null> {
  if (member.role === 'liaison') throw notFound(PROPOSAL_NOT_FOUND);
  if (scope === 'project') {
    if (member.role !== 'approver') throw notFound(PROPOSAL_NOT_FOUND);
    return null;
  }
  return requireReadableCase(db, member, scope.reference);
}

export async function lockVisibleOpen(
  trx: Transaction<Database>,
  member: SignedInMember,
  scope: ProposalScope,
  proposalId: string,
) {
  const detail = await scopeCase(trx, member, scope);
  const p = UUID.test(proposalId) ? await lockProposal(trx, proposalId.toLowerCase()) : undefined;
  if (!p || p.caseId !== (detail?.id ?? null)) throw notFound(PROPOSAL_NOT_FOUND);
  if (p.status !== 'open') throw badInput(`This proposal is closed already (${p.status}).`);
  return { p, detail };
}

export function requiredId(value: string | undefined, field: string, message: string): string {
  if (!value || !UUID.test(value)) throw badField(field, message);
  return value.toLowerCase();
}

/** A check's refusal (any DomainError, in plain words) shown beside the proposal's form. */
export async function onProposalField(field: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (error instanceof DomainError) throw badField(field, error.message, error);
    throw error;
  }
}
