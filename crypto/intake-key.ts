import {
  createCleartextMessage,
  decryptKey,
  encryptKey,
  enums,
  generateKey,
  readKey,
  readPrivateKey,
  sign,
  type PrivateKey,
} from 'openpgp';
import { DecryptionError, InvalidKeyError } from './errors';
import { validatePublicKey } from './keys';
import { keyLockConfig, messageConfig, type Argon2Cost } from './openpgp-config';

/** One identity of the intake key: an intake address and a name for it. */
export interface IntakeIdentity {
  name: string;
  email: string;
}

/** The intake key as it is stored: public parts, and the private key locked under the operator's passphrase. */
export interface LockedIntakeKey {
  /** Upper-case hex fingerprint of the primary key. */
  fingerprint: string;
  publicKey: string;
  /** Armored private key, Argon2-S2K/AEAD-protected under the passphrase; never stored unlocked. */
  lockedPrivateKey: string;
}

/**
 * Makes the project's intake key: an Ed25519 primary (certifies; signs security.txt) with a
 * Curve25519 encryption subkey, both in the v4 "legacy" form that GnuPG 2.2 and 2.4 import, since
 * reporters encrypt to it with whatever they have. One user ID per intake address (WKD needs the
 * address in a user ID). No expiry: rotation replaces it. The private key leaves this function only
 * locked under `passphrase`.
 */
export async function generateIntakeKey(options: {
  identities: IntakeIdentity[];
  passphrase: string;
  cost?: Argon2Cost;
  date?: Date;
}): Promise<LockedIntakeKey> {
  if (options.identities.length === 0) throw new TypeError('generateIntakeKey needs at least one identity');
  requirePassphrase(options.passphrase);
  const { privateKey } = await generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: options.identities.map(({ name, email }) => ({ name, email })),
    date: options.date,
    format: 'object',
    config: messageConfig,
  });
  return lock(privateKey, options.passphrase, options.cost);
}

/** Unlocks a stored intake key. A wrong passphrase throws DecryptionError; a damaged key InvalidKeyError. */
export async function unlockIntakeKey(lockedPrivateKey: string, passphrase: string): Promise<PrivateKey> {
  let privateKey: PrivateKey;
  try {
    privateKey = await readPrivateKey({ armoredKey: lockedPrivateKey, config: messageConfig });
  } catch (cause) {
    throw new InvalidKeyError('malformed', 'The stored intake key could not be read.', { cause });
  }
  try {
    return await decryptKey({ privateKey, passphrase, config: messageConfig });
  } catch (cause) {
    throw new DecryptionError(
      `The passphrase does not unlock intake key ${privateKey.getFingerprint().toUpperCase()}.`,
      { cause },
    );
  }
}

/**
 * Takes an operator's existing private key (e.g. `gpg --armor --export-secret-keys security@…`) as
 * the intake key: it must be a private key whose public half passes the member-key checks (not
 * expired or revoked, a usable encryption subkey, no weak algorithm). `passphrase` unlocks it when
 * it is protected; it is stored re-locked under `newPassphrase`.
 */
export async function importIntakeKey(options: {
  armoredKey: string;
  passphrase?: string;
  newPassphrase: string;
  cost?: Argon2Cost;
}): Promise<LockedIntakeKey> {
  requirePassphrase(options.newPassphrase);
  let privateKey: PrivateKey;
  try {
    const key = await readKey({ armoredKey: options.armoredKey, config: messageConfig });
    if (!key.isPrivate())
      throw new InvalidKeyError(
        'malformed',
        'This is a public key; the intake key must be imported with its private key.',
      );
    privateKey = key as PrivateKey;
  } catch (cause) {
    if (cause instanceof InvalidKeyError) throw cause;
    throw new InvalidKeyError('malformed', 'This is not an armored OpenPGP private key.', { cause });
  }
  await validatePublicKey(privateKey.toPublic().armor(messageConfig));
  if (!privateKey.isDecrypted()) {
    if (options.passphrase === undefined)
      throw new DecryptionError('The key is protected by a passphrase; give it to unlock the key.');
    try {
      privateKey = await decryptKey({ privateKey, passphrase: options.passphrase, config: messageConfig });
    } catch (cause) {
      throw new DecryptionError('The passphrase does not unlock this key.', { cause });
    }
  }
  await privateKey.getDecryptionKeys(undefined, undefined, undefined, messageConfig).catch((cause: unknown) => {
    throw new InvalidKeyError(
      'no-encryption-subkey',
      'The key holds no usable private encryption subkey (is it a stub of a smartcard key?).',
      { cause },
    );
  });
  return lock(privateKey, options.newPassphrase, options.cost);
}

/**
 * The intake private key for a backup or for GnuPG: re-locked under the same passphrase with the
 * iterated-and-salted S2K that every GnuPG version imports (Argon2 and AEAD key protection are not
 * understood by GnuPG 2.2/2.4).
 */
export async function exportIntakeSecretKey(lockedPrivateKey: string, passphrase: string): Promise<string> {
  const unlocked = await unlockIntakeKey(lockedPrivateKey, passphrase);
  const relocked = await encryptKey({
    privateKey: unlocked,
    passphrase,
    config: { ...messageConfig, aeadProtect: false, s2kType: enums.s2k.iterated, s2kIterationCountByte: 224 },
  });
  return relocked.armor(messageConfig);
}

/** A cleartext-signed text (RFC 9116 asks security.txt to be signed), made with an unlocked intake key. */
export async function signCleartext(text: string, signingKey: PrivateKey): Promise<string> {
  const message = await createCleartextMessage({ text });
  return sign({ message, signingKeys: signingKey, config: messageConfig });
}

async function lock(privateKey: PrivateKey, passphrase: string, cost?: Argon2Cost): Promise<LockedIntakeKey> {
  const locked = await encryptKey({ privateKey, passphrase, config: keyLockConfig(cost) });
  return {
    fingerprint: privateKey.getFingerprint().toUpperCase(),
    publicKey: privateKey.toPublic().armor(messageConfig),
    lockedPrivateKey: locked.armor(messageConfig),
  };
}

function requirePassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string' || passphrase.length < 12) {
    throw new TypeError('The intake key passphrase must be at least 12 characters long.');
  }
}
