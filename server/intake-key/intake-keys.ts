// Workflows on the intake key: make it on first start, show, export, import, rotate.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { KIND_WORDS } from '../cases/case-words';
import {
  destroyExpiredIntakeKeys,
  insertIntakeKey,
  intakeKeysForDecryption,
  listIntakeKeys,
  lockIntakeKeys,
  mailReportsSince,
  retireActiveIntakeKey,
  type IntakeKeyRecord,
} from '../../db/intake-keys.queries';
import { DecryptionError, InvalidKeyError } from '../../crypto/errors';
import {
  exportIntakeSecretKey,
  generateIntakeKey,
  importIntakeKey,
  type IntakeIdentity,
  type LockedIntakeKey,
} from '../../crypto/intake-key';
import type { Argon2Cost } from '../../crypto/openpgp-config';
import type { Config } from '../config';
import { badInput, conflict, notConfigured } from '../errors';
import { appendAudit, BY_OPERATOR } from '../audit/audit-log';

/** After a rotation, the old key keeps decrypting mail for this long unless told otherwise. */
export const DEFAULT_GRACE_DAYS = 90;

/** One user ID per intake address, so that WKD and `gpg --locate-keys` find the key for each. */
export function intakeIdentities(config: Config): IntakeIdentity[] {
  const { addresses } = config.mail;
  return [
    ...addresses.security.map((email) => ({ name: `${config.projectName} ${KIND_WORDS.security.report}s`, email })),
    ...addresses.coc.map((email) => ({ name: `${config.projectName} ${KIND_WORDS.coc.report}s`, email })),
  ];
}

/**
 * Makes the intake key if there is none yet; returns its fingerprint when it made one. Instances
 * starting at once serialize on an advisory lock: exactly one key is made.
 */
export async function createIntakeKeyIfNone(
  db: Kysely<Database>,
  options: { identities: IntakeIdentity[]; passphrase: string; argon2?: Argon2Cost },
): Promise<string | null> {
  if ((await listIntakeKeys(db)).some((k) => k.retiredAt === null)) return null;
  const key = await generateIntakeKey({
    identities: options.identities,
    passphrase: options.passphrase,
    cost: options.argon2,
  });
  return db.transaction().execute(async (trx) => {
    await lockIntakeKeys(trx);
    if ((await listIntakeKeys(trx)).some((k) => k.retiredAt === null)) return null;
    await insertIntakeKey(trx, key);
    return key.fingerprint;
  });
}

export async function showIntakeKeys(db: Kysely<Database>): Promise<IntakeKeyRecord[]> {
  const keys = await listIntakeKeys(db);
  if (!keys.some((k) => k.retiredAt === null))
    throw notConfigured('There is no intake key yet: it is made when the server first starts (npm start).');
  return keys;
}

/** The active public key (armored), or its private key re-locked for GnuPG under the same passphrase. */
export async function exportIntakeKey(
  db: Kysely<Database>,
  options: { secret: boolean; passphrase?: string },
): Promise<string> {
  const active = (await showIntakeKeys(db))[0]!;
  if (!options.secret) return active.publicKey;
  const row = (await intakeKeysForDecryption(db, new Date())).find((k) => k.fingerprint === active.fingerprint);
  if (!row) throw notConfigured('The active intake key has no private key on file.');
  try {
    return await exportIntakeSecretKey(row.lockedPrivateKey, options.passphrase!);
  } catch (error) {
    if (error instanceof DecryptionError)
      throw badInput('The configured passphrase does not unlock the intake key.', error);
    throw error;
  }
}

/**
 * Makes a new intake key (naming the intake addresses configured now) and retires the active one,
 * which keeps decrypting incoming mail for `graceDays`.
 */
export async function rotateIntakeKey(
  db: Kysely<Database>,
  options: { identities: IntakeIdentity[]; passphrase: string; graceDays?: number; argon2?: Argon2Cost; now?: Date },
): Promise<{ fingerprint: string; retired: string | null; decryptUntil: Date }> {
  const key = await generateIntakeKey({
    identities: options.identities,
    passphrase: options.passphrase,
    cost: options.argon2,
  });
  return replaceActiveKey(db, key, options, 'intake-key.rotated');
}

/**
 * Replaces an intake key that was never published (made for the wrong MAIL_DOMAIN, say) by a new
 * one naming the addresses configured now. Unlike a rotation the old key stops decrypting at once
 * and its private half is destroyed. Refused once mail has arrived since the old key was made,
 * since a sender may have used it; `force` overrides that after the operator has checked.
 */
export async function reissueIntakeKey(
  db: Kysely<Database>,
  options: { identities: IntakeIdentity[]; passphrase: string; force?: boolean; argon2?: Argon2Cost; now?: Date },
): Promise<{ fingerprint: string; retired: string | null }> {
  const active = (await showIntakeKeys(db))[0]!;
  if (!options.force && (await mailReportsSince(db, active.createdAt))) {
    throw conflict(
      `Mail has arrived since the intake key ${active.fingerprint} was made, so it may have been published: use "intake intake-key rotate" (the old key keeps decrypting), or --force if you are sure nobody has it.`,
    );
  }
  const key = await generateIntakeKey({
    identities: options.identities,
    passphrase: options.passphrase,
    cost: options.argon2,
  });
  const now = options.now ?? new Date();
  const retired = await db.transaction().execute(async (trx) => {
    await lockIntakeKeys(trx);
    const old = await retireActiveIntakeKey(trx, now, now);
    await destroyExpiredIntakeKeys(trx, now);
    await insertIntakeKey(trx, key);
    const details = { fingerprint: key.fingerprint, retiredFingerprint: old, forced: options.force === true };
    await appendAudit(trx, { ...BY_OPERATOR, action: 'intake-key.reissued', details });
    return old;
  });
  return { fingerprint: key.fingerprint, retired };
}

/** Makes an operator's existing private key the intake key (e.g. the key security@ already published). */
export async function importAsIntakeKey(
  db: Kysely<Database>,
  options: {
    armoredKey: string;
    keyPassphrase?: string;
    passphrase: string;
    graceDays?: number;
    argon2?: Argon2Cost;
    now?: Date;
  },
): Promise<{ fingerprint: string; retired: string | null; decryptUntil: Date }> {
  let key: LockedIntakeKey;
  try {
    key = await importIntakeKey({
      armoredKey: options.armoredKey,
      passphrase: options.keyPassphrase,
      newPassphrase: options.passphrase,
      cost: options.argon2,
    });
  } catch (error) {
    if (error instanceof InvalidKeyError || error instanceof DecryptionError)
      throw badInput(`Key refused: ${error.message}`, error);
    throw error;
  }
  if ((await listIntakeKeys(db)).some((k) => k.fingerprint === key.fingerprint))
    throw conflict(`The key ${key.fingerprint} is already an intake key.`);
  return replaceActiveKey(db, key, options, 'intake-key.imported');
}

async function replaceActiveKey(
  db: Kysely<Database>,
  key: LockedIntakeKey,
  options: { graceDays?: number; now?: Date },
  action: 'intake-key.rotated' | 'intake-key.imported',
): Promise<{ fingerprint: string; retired: string | null; decryptUntil: Date }> {
  const graceDays = options.graceDays ?? DEFAULT_GRACE_DAYS;
  if (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > 3650)
    throw badInput('The grace period must be a whole number of days from 0 to 3650.');
  const now = options.now ?? new Date();
  const decryptUntil = new Date(now.getTime() + graceDays * 86_400_000);
  const retired = await db.transaction().execute(async (trx) => {
    await lockIntakeKeys(trx);
    const old = await retireActiveIntakeKey(trx, now, decryptUntil);
    await insertIntakeKey(trx, key);
    const details = { fingerprint: key.fingerprint, retiredFingerprint: old, decryptUntil: decryptUntil.toISOString() };
    await appendAudit(trx, { ...BY_OPERATOR, action, details });
    return old;
  });
  return { fingerprint: key.fingerprint, retired, decryptUntil };
}
