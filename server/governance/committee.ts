// The CNCF CoC Committee's address and public key (issue 10 §4), with the same key checks as a
// member's: set by the operator before the governance started, and afterwards by a decision
// (committee-setting.ts). Replacing the key retires the old one; referrals still waiting are
// re-wrapped to the new one. The charter's row `cncf-committee` follows every change.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { currentCommitteeKey, replaceCommitteeKey, type CommitteeKey } from '../../db/committee.queries';
import { writeCharterValue } from '../../db/charter.queries';
import { InvalidKeyError } from '../../crypto/errors';
import { validatePublicKey, type ValidatedKey } from '../../crypto/keys';
import { appendAudit, BY_OPERATOR } from '../audit/audit-log';
import { badInput } from '../errors';
import { TEXT_LIMITS, checkText } from '../text-checks';
import { COMMITTEE_SETTING } from './charter-settings';
import type { GovernanceActor } from './governance-actor';
import { refuseOnceGovernanceStarted } from './charter-operator';
import { charterChanged } from './charter-cache';

type Db = Kysely<Database> | Transaction<Database>;

export interface CommitteeKeyInput {
  email: string;
  armoredKey: string;
  allowUidMismatch?: boolean;
}

/** The address and key checked as the CLI always checked them; throws a bad-input DomainError in plain words. */
export async function validateCommitteeKey(input: CommitteeKeyInput): Promise<{ email: string; key: ValidatedKey }> {
  const email = checkText(input.email, 'The e-mail', TEXT_LIMITS.email).trim();
  checkText(input.armoredKey, 'The key', TEXT_LIMITS.publicKey);
  if (!/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(email))
    throw badInput(`Cannot set the committee's key: "${email}" is not an e-mail address.`);
  try {
    return {
      email,
      key: await validatePublicKey(input.armoredKey, { email, allowUidMismatch: input.allowUidMismatch }),
    };
  } catch (error) {
    if (error instanceof InvalidKeyError) throw badInput(`Key refused: ${error.message}`, error);
    throw error;
  }
}

/** Makes a checked key the committee's current one, audited as the actor's, and records it in the charter. */
export async function storeCommitteeKey(
  trx: Transaction<Database>,
  checked: { email: string; key: ValidatedKey },
  actor: GovernanceActor & { changedBy: 'operator' | 'decision'; at: Date },
): Promise<{ id: string; previousFingerprint: string | null }> {
  const previous = await currentCommitteeKey(trx);
  const { key } = checked;
  const { id } = await replaceCommitteeKey(trx, {
    email: checked.email,
    fingerprint: key.fingerprint,
    encryptionKeyId: key.encryptionKeyId,
    algorithm: key.algorithm,
    armored: key.armored,
  });
  await writeCharterValue(trx, {
    key: COMMITTEE_SETTING,
    value: { email: checked.email, fingerprint: key.fingerprint },
    changedBy: actor.changedBy,
    proposalId: actor.proposalId ?? null,
    at: actor.at,
  });
  charterChanged();
  await appendAudit(trx, {
    caseId: null,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'committee.key-set',
    details: {
      committeeKeyId: id,
      fingerprint: key.fingerprint,
      previousFingerprint: previous?.fingerprint ?? null,
      ...(actor.proposalId ? { proposalId: actor.proposalId } : {}),
    },
  });
  return { id, previousFingerprint: previous?.fingerprint ?? null };
}

/**
 * Sets the key as the operator. `intake committee set` passes `onlyBeforeGovernance`: once an approver
 * has signed in, the committee's address and key change only by a decision (issue 11 §3).
 */
export async function setCommitteeKey(
  db: Kysely<Database>,
  input: CommitteeKeyInput,
  options: { onlyBeforeGovernance?: boolean } = {},
): Promise<CommitteeKey> {
  const checked = await validateCommitteeKey(input);
  await db.transaction().execute(async (trx) => {
    if (options.onlyBeforeGovernance) await refuseOnceGovernanceStarted(trx, 'the committee’s address and key');
    await storeCommitteeKey(trx, checked, { ...BY_OPERATOR, changedBy: 'operator', at: new Date() });
  });
  return (await currentCommitteeKey(db))!;
}

export function committeeKey(db: Db): Promise<CommitteeKey | undefined> {
  return currentCommitteeKey(db);
}
