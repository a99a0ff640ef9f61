// The distributors list (issue 12 §2), kept apart from the intake as the Kubernetes SRC keeps it:
// organisations that ship the project, each with a contact address, an OpenPGP key (checked as a
// member's is) and a recorded acceptance of the embargo policy. Approvers and the SRT manage it
// (the approvers govern, the SRT runs the disclosure); a liaison does not. Nothing is sent to a
// distributor before its acceptance is recorded.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import {
  currentDistributorWithEmail,
  findDistributor,
  insertDistributor,
  listDistributors,
  markDistributorRemoved,
  setDistributorAcceptance,
  updateDistributor,
  type DistributorRow,
} from '../../db/distributors.queries';
import { InvalidKeyError } from '../../crypto/errors';
import { validatePublicKey, type ValidatedKey } from '../../crypto/keys';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import { badInput, forbidden, notFound } from '../errors';
import { FieldError } from '../field-errors';
import { TEXT_LIMITS, checkText } from '../text-checks';
import { parseDay } from './embargo-dates';

export const DISTRIBUTORS_MANAGED_BY =
  'The approvers and the Security Response Team keep the distributors list; a liaison does not.';

export interface DistributorInput {
  organisation: string;
  email: string;
  armoredKey: string;
  allowUidMismatch?: boolean;
}

/** Refuses (403) a member who may not see or keep the list. */
export function requireDistributorManager(member: Pick<SignedInMember, 'role'>): void {
  if (member.role !== 'approver' && member.role !== 'srt') throw forbidden(DISTRIBUTORS_MANAGED_BY);
}

export async function distributorsList(db: Kysely<Database>, member: SignedInMember): Promise<DistributorRow[]> {
  requireDistributorManager(member);
  return listDistributors(db);
}

export async function addDistributor(
  db: Kysely<Database>,
  member: SignedInMember,
  input: DistributorInput,
  now: Date = new Date(),
): Promise<string> {
  requireDistributorManager(member);
  const { organisation, email } = checkNames(input);
  const key = await acceptKey(input, email, now);
  if (await currentDistributorWithEmail(db, email))
    throw new FieldError('email', `A distributor with the address ${email} is on the list already.`);
  return db.transaction().execute(async (trx) => {
    const id = await insertDistributor(trx, {
      organisation,
      email,
      uidOverride: input.allowUidMismatch === true,
      addedBy: member.id,
      ...keyFields(key),
    });
    await appendAudit(trx, {
      caseId: null,
      actorMemberId: member.id,
      action: 'distributor.added',
      details: { distributorId: id, fingerprint: key.fingerprint, uidOverride: input.allowUidMismatch === true },
    });
    return id;
  });
}

/** Changes the organisation, address or key. A new address or key keeps the recorded acceptance: it is the organisation's. */
export async function changeDistributor(
  db: Kysely<Database>,
  member: SignedInMember,
  id: string,
  input: DistributorInput,
  now: Date = new Date(),
): Promise<void> {
  requireDistributorManager(member);
  const current = await requireDistributor(db, id);
  const { organisation, email } = checkNames(input);
  const key = await acceptKey(input, email, now);
  const holder = await currentDistributorWithEmail(db, email);
  if (holder && holder.id !== current.id)
    throw new FieldError('email', `A distributor with the address ${email} is on the list already.`);
  await db.transaction().execute(async (trx) => {
    await updateDistributor(trx, current.id, {
      organisation,
      email,
      uidOverride: input.allowUidMismatch === true,
      ...keyFields(key),
    });
    await appendAudit(trx, {
      caseId: null,
      actorMemberId: member.id,
      action: 'distributor.changed',
      details: {
        distributorId: current.id,
        previousFingerprint: current.fingerprint,
        fingerprint: key.fingerprint,
        emailChanged: email.toLowerCase() !== current.email.toLowerCase(),
      },
    });
  });
}

/** Records (or with `acceptedOn` empty, withdraws) the distributor's acceptance of the embargo policy. */
export async function recordAcceptance(
  db: Kysely<Database>,
  member: SignedInMember,
  id: string,
  input: { acceptedOn: string; policyVersion: string },
  now: Date = new Date(),
): Promise<void> {
  requireDistributorManager(member);
  const current = await requireDistributor(db, id);
  const withdrawn = input.acceptedOn.trim() === '';
  let acceptance: { acceptedOn: string; policyVersion: string; recordedBy: string } | null = null;
  if (!withdrawn) {
    const acceptedOn = parseDay(input.acceptedOn, 'acceptedOn', 'The day of the acceptance');
    if (acceptedOn > now.toISOString().slice(0, 10))
      throw new FieldError('acceptedOn', 'The day of the acceptance cannot be in the future.');
    const policyVersion = checkText(input.policyVersion, 'The policy version', TEXT_LIMITS.metadata).trim();
    if (policyVersion === '')
      throw new FieldError(
        'policyVersion',
        'Say which embargo policy was accepted: its version or its address (URL), as the distributor saw it.',
      );
    acceptance = { acceptedOn, policyVersion, recordedBy: member.id };
  }
  await db.transaction().execute(async (trx) => {
    await setDistributorAcceptance(trx, current.id, acceptance);
    await appendAudit(trx, {
      caseId: null,
      actorMemberId: member.id,
      action: 'distributor.changed',
      details: {
        distributorId: current.id,
        acceptance: withdrawn ? 'withdrawn' : 'recorded',
        acceptedOn: acceptance?.acceptedOn ?? null,
      },
    });
  });
}

export async function removeDistributor(db: Kysely<Database>, member: SignedInMember, id: string): Promise<void> {
  requireDistributorManager(member);
  const current = await requireDistributor(db, id);
  await db.transaction().execute(async (trx) => {
    await markDistributorRemoved(trx, current.id);
    await appendAudit(trx, {
      caseId: null,
      actorMemberId: member.id,
      action: 'distributor.removed',
      details: { distributorId: current.id, fingerprint: current.fingerprint },
    });
  });
}

async function requireDistributor(db: Kysely<Database>, id: string): Promise<DistributorRow> {
  const found = /^[0-9a-f-]{36}$/i.test(id) ? await findDistributor(db, id) : undefined;
  if (!found || found.removedAt) throw notFound('No such distributor is on the list (it may have been removed).');
  return found;
}

function checkNames(input: DistributorInput): { organisation: string; email: string } {
  const organisation = checkText(input.organisation, 'The organisation', TEXT_LIMITS.name).trim();
  const email = checkText(input.email, 'The contact address', TEXT_LIMITS.email).trim();
  checkText(input.armoredKey, 'The key', TEXT_LIMITS.publicKey);
  if (organisation === '') throw new FieldError('organisation', 'Give the name of the organisation.');
  if (!/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(email))
    throw new FieldError('email', `"${email}" is not an e-mail address.`);
  return { organisation, email };
}

async function acceptKey(input: DistributorInput, email: string, now: Date): Promise<ValidatedKey> {
  try {
    return await validatePublicKey(input.armoredKey, { email, allowUidMismatch: input.allowUidMismatch, now });
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new FieldError('armoredKey', `Key refused: ${error.message}`);
    throw error;
  }
}

function keyFields(key: ValidatedKey) {
  return {
    fingerprint: key.fingerprint,
    encryptionKeyId: key.encryptionKeyId,
    algorithm: key.algorithm,
    armored: key.armored,
  };
}

/** Refuses a sending to one whose acceptance is not recorded: said in words for the reader. */
export function refuseWithoutAcceptance(distributor: DistributorRow): void {
  if (!distributor.acceptedOn)
    throw badInput(
      `${distributor.organisation} has not accepted the embargo policy (no acceptance is recorded on the distributors list): nothing can be sent to it.`,
    );
}
