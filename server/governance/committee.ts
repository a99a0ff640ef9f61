// The CNCF CoC Committee's address and public key (issue 10 §4), set by the operator with the same
// key checks as a member's. Replacing the key retires the old one; referrals still waiting are
// re-wrapped to the new one.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { currentCommitteeKey, replaceCommitteeKey, type CommitteeKey } from '../../db/committee.queries';
import { InvalidKeyError } from '../../crypto/errors';
import { validatePublicKey, type ValidatedKey } from '../../crypto/keys';
import { appendAudit, BY_OPERATOR } from '../audit/audit-log';
import { badInput } from '../errors';
import { TEXT_LIMITS, checkText } from '../text-checks';

export async function setCommitteeKey(
  db: Kysely<Database>,
  input: { email: string; armoredKey: string; allowUidMismatch?: boolean },
): Promise<CommitteeKey> {
  const email = checkText(input.email, 'The e-mail', TEXT_LIMITS.email).trim();
  checkText(input.armoredKey, 'The key', TEXT_LIMITS.publicKey);
  if (!/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(email))
    throw badInput(`Cannot set the committee's key: "${email}" is not an e-mail address.`);
  let key: ValidatedKey;
  try {
    key = await validatePublicKey(input.armoredKey, { email, allowUidMismatch: input.allowUidMismatch });
  } catch (error) {
    if (error instanceof InvalidKeyError) throw badInput(`Key refused: ${error.message}`, error);
    throw error;
  }
  const previous = await currentCommitteeKey(db);
  await db.transaction().execute(async (trx) => {
    const { id } = await replaceCommitteeKey(trx, {
      email,
      fingerprint: key.fingerprint,
      encryptionKeyId: key.encryptionKeyId,
      algorithm: key.algorithm,
      armored: key.armored,
    });
    await appendAudit(trx, {
      ...BY_OPERATOR,
      action: 'committee.key-set',
      details: { committeeKeyId: id, fingerprint: key.fingerprint, previousFingerprint: previous?.fingerprint ?? null },
    });
  });
  return (await currentCommitteeKey(db))!;
}

export function committeeKey(db: Kysely<Database>): Promise<CommitteeKey | undefined> {
  return currentCommitteeKey(db);
}
