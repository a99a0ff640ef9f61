// A member's own key pair, made where the member is (the "My key" page in the browser), and the
// check that a private key given to that page is the member's key on file. Keys are OpenPGP v4 with
// algorithms GnuPG 2.2 knows (EdDSA + ECDH on Curve25519 in their v4 "legacy" form, or RSA-3072),
// protected the way GnuPG 2.2 reads (iterated and salted S2K, no AEAD), so that the backup imports
// into `gpg` and decrypts every case message, as the README promises.
import {
  config as defaults,
  decryptKey,
  encryptKey,
  enums,
  generateKey,
  readPrivateKey,
  type Config,
  type PrivateKey,
} from 'openpgp';
import { InvalidKeyError } from './errors';
import { messageConfig } from './openpgp-config';

export type MemberKeyAlgorithm = 'curve25519' | 'rsa3072';

export interface MemberKeyPair {
  /** Upper-case hex fingerprint of the primary key. */
  fingerprint: string;
  publicKey: string;
  /** Armored, locked with the member's passphrase. */
  privateKey: string;
}

/** v4 keys, never RFC 9580's v6 keys or its Ed25519/X25519 algorithms, which GnuPG 2.2 cannot import. */
const memberKeyConfig: Config = Object.freeze({
  ...messageConfig,
  v6Keys: false,
  aeadProtect: false,
  s2kType: enums.s2k.iterated,
  s2kIterationCountByte: defaults.s2kIterationCountByte,
});

/** Makes a member's key pair, its private half locked with `passphrase`. */
export async function generateMemberKey(options: {
  name: string;
  email: string;
  passphrase: string;
  algorithm: MemberKeyAlgorithm;
}): Promise<MemberKeyPair> {
  const kind =
    options.algorithm === 'rsa3072'
      ? ({ type: 'rsa', rsaBits: 3072 } as const)
      : ({ type: 'ecc', curve: 'ed25519Legacy' } as const);
  const { privateKey, publicKey } = await generateKey({
    ...kind,
    userIDs: [{ name: options.name, email: options.email }],
    passphrase: options.passphrase,
    format: 'object',
    config: memberKeyConfig,
  });
  return {
    fingerprint: privateKey.getFingerprint().toUpperCase(),
    publicKey: publicKey.armor(memberKeyConfig),
    privateKey: privateKey.armor(memberKeyConfig),
  };
}

/**
 * Reads an armored private key a member gives, and unlocks it with its passphrase. With `onFile`,
 * refuses (InvalidKeyError 'not-on-file') a key whose fingerprint is not the member's key on file:
 * another member's key must never be taken for one's own. Returns the locked and the unlocked key.
 */
export async function readMemberPrivateKey(
  armoredKey: string,
  passphrase: string,
  onFile: string | null,
): Promise<{ fingerprint: string; locked: PrivateKey; unlocked: PrivateKey }> {
  let locked: PrivateKey;
  try {
    locked = await readPrivateKey({ armoredKey, config: messageConfig });
  } catch (cause) {
    throw new InvalidKeyError(
      'malformed',
      'This is not an armored OpenPGP private key (gpg --armor --export-secret-keys EMAIL).',
      { cause },
    );
  }
  const fingerprint = locked.getFingerprint().toUpperCase();
  if (onFile !== null && fingerprint !== onFile.toUpperCase()) {
    throw new InvalidKeyError(
      'not-on-file',
      `This key (${fingerprint}) is not your key on file (${onFile.toUpperCase()}). Import the private key of ${onFile.toUpperCase()}; if this is a new key of yours, replace your key on file with it first.`,
    );
  }
  const unlocked = locked.isDecrypted() ? locked : await unlockWith(locked, passphrase);
  return { fingerprint, locked, unlocked };
}

/** The member's key as this browser keeps it (armored, locked), unlocked with its passphrase. */
export async function unlockMemberKey(lockedArmored: string, passphrase: string): Promise<PrivateKey> {
  return unlockWith(await readPrivateKey({ armoredKey: lockedArmored, config: messageConfig }), passphrase);
}

async function unlockWith(locked: PrivateKey, passphrase: string): Promise<PrivateKey> {
  try {
    return await decryptKey({ privateKey: locked, passphrase, config: messageConfig });
  } catch (cause) {
    throw new InvalidKeyError('locked', 'That passphrase does not unlock your key.', { cause });
  }
}

/** The key armored as it is (unlocked stays unlocked: only for keeping it wrapped in this browser session). */
export function armorPrivateKey(key: PrivateKey): string {
  return key.armor(messageConfig);
}

/** Reads back a key armored by armorPrivateKey. */
export function readArmoredPrivateKey(armored: string): Promise<PrivateKey> {
  return readPrivateKey({ armoredKey: armored, config: messageConfig });
}

/** The key armored and locked with `passphrase` (a key locked already stays as it is). */
export async function lockedArmor(key: PrivateKey, passphrase: string): Promise<string> {
  const locked = key.isDecrypted() ? await encryptKey({ privateKey: key, passphrase, config: messageConfig }) : key;
  return locked.armor(messageConfig);
}

export function publicArmorOf(key: PrivateKey): string {
  return key.toPublic().armor(messageConfig);
}
