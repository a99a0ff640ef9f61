// The CNCF CoC Committee's address and key as a setting of the charter (issue 11 §3): a
// change-setting decision whose payload carries the address and the armored public key, checked
// exactly as `intake committee set` checks them. The key becomes current only when the decision
// passes (committee.ts storeCommitteeKey, which also writes the charter's row).
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { badInput, conflict } from '../errors';
import { committeeKey, storeCommitteeKey, validateCommitteeKey } from './committee';
import type { GovernanceActor } from './governance-actor';
import { appendAudit } from '../audit/audit-log';
import { COMMITTEE_SETTING } from './charter-settings';

type Db = Kysely<Database> | Transaction<Database>;

/** What a proposal carries: the address, the armored key, and its fingerprint (for the title). */
export interface CommitteeChange {
  email: string;
  publicKey: string;
  fingerprint: string;
  allowUidMismatch: boolean;
}

function payloadOf(payload: unknown): CommitteeChange {
  const p = payload as Partial<Record<keyof CommitteeChange, unknown>> | null;
  if (typeof p !== 'object' || p === null || typeof p.email !== 'string' || typeof p.publicKey !== 'string')
    throw badInput('Give the committee’s e-mail address and its armored OpenPGP public key.');
  return {
    email: p.email,
    publicKey: p.publicKey,
    fingerprint: typeof p.fingerprint === 'string' ? p.fingerprint : '',
    allowUidMismatch: p.allowUidMismatch === true,
  };
}

/** Checks the address and key as the CLI does; returns the payload to store with the proposal. */
export async function committeeChangePayload(
  db: Db,
  input: Omit<CommitteeChange, 'fingerprint'>,
): Promise<CommitteeChange> {
  const checked = await validateCommitteeKey({
    email: input.email,
    armoredKey: input.publicKey,
    allowUidMismatch: input.allowUidMismatch,
  });
  const current = await committeeKey(db);
  if (current && current.email === checked.email && current.fingerprint === checked.key.fingerprint)
    throw conflict('This is the committee’s address and key already.');
  return { ...input, email: checked.email, fingerprint: checked.key.fingerprint };
}

async function checked(db: Db, payload: unknown) {
  const p = payloadOf(payload);
  const made = await committeeChangePayload(db, p);
  if (p.fingerprint !== made.fingerprint) throw badInput('The proposal’s fingerprint is not the key’s.');
  return made;
}

export async function checkCommitteeChange(db: Db, payload: unknown): Promise<void> {
  await checked(db, payload);
}

export async function applyCommitteeChange(
  trx: Transaction<Database>,
  payload: unknown,
  actor: GovernanceActor,
): Promise<void> {
  const change = await checked(trx, payload);
  const key = await validateCommitteeKey({
    email: change.email,
    armoredKey: change.publicKey,
    allowUidMismatch: change.allowUidMismatch,
  });
  const stored = await storeCommitteeKey(trx, key, { ...actor, changedBy: 'decision', at: new Date() });
  // Addresses are not audit details: the fingerprints say which key replaced which.
  await appendAudit(trx, {
    caseId: null,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'charter.changed',
    details: {
      key: COMMITTEE_SETTING,
      old: { fingerprint: stored.previousFingerprint },
      new: { fingerprint: key.key.fingerprint },
      proposalId: actor.proposalId ?? null,
    },
  });
}

export function committeeChangeTitle(payload: unknown): string {
  const p = payload as { email?: unknown; fingerprint?: unknown } | null;
  const email = typeof p?.email === 'string' ? p.email : 'a new address';
  const fingerprint = typeof p?.fingerprint === 'string' ? p.fingerprint : 'a new key';
  return `Make ${email} (key ${fingerprint}) the CNCF Code of Conduct Committee’s address and key`;
}
