import {
  decryptKey,
  encryptKey,
  enums,
  generateKey,
  readKey,
  readPrivateKey,
  type Config,
  type PrivateKey,
  type PublicKey,
} from 'openpgp';
import { DecryptionError, InvalidKeyError } from './errors';
import { keyLockConfig, messageConfig, type Argon2Cost } from './openpgp-config';
import { normalizeReceipt } from './receipt';

/** The reporter's key pair: the public half is a case recipient, the private half is locked under the receipt. */
export interface ReporterKey {
  fingerprint: string;
  publicKey: string;
  /** Armored private key, encrypted with Argon2 S2K under the normalized receipt. */
  lockedPrivateKey: string;
  /** The public half, parsed: what the server encrypts to without reading `publicKey` back. */
  parsedPublicKey: PublicKey;
}

/**
 * How the reporter's private key is locked under the receipt: Argon2 (the default; its cost is
 * what a browser can bear), or `'fast'`, a minimal iterated-and-salted S2K with AEAD protection
 * for the server's own paths (e-mail intake, the form without JavaScript), which must not spend a
 * second of CPU per report, and for browsers without WebAssembly, where Argon2 cannot run. The
 * receipt carries 88 bits of entropy and the database already holds its fast SHA-256 lookup hash,
 * so the S2K's work factor adds nothing against a stolen database; Argon2 costs ~30 ms even at its lowest setting.
 */
export type ReporterKeyLock = Argon2Cost | 'fast';

/**
 * Makes a reporter key pair (Curve25519) and locks its private half under the receipt. The v4
 * EdDSA/ECDH form ("legacy" to OpenPGP.js), not RFC 9580's Ed25519/X25519 algorithms, which
 * GnuPG 2.2 and 2.4 cannot use: a reporter or a mail client encrypting with gpg must be able to.
 */
export async function createReporterKey(receipt: string, cost?: ReporterKeyLock): Promise<ReporterKey> {
  const { privateKey } = await generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name: 'Reporter' }],
    format: 'object',
    config: messageConfig,
  });
  const config: Config = cost === 'fast' ? fastLockConfig : keyLockConfig(cost);
  const locked = await encryptKey({ privateKey, passphrase: normalizeReceipt(receipt), config });
  const parsedPublicKey = privateKey.toPublic();
  return {
    fingerprint: privateKey.getFingerprint().toUpperCase(),
    publicKey: parsedPublicKey.armor(messageConfig),
    lockedPrivateKey: locked.armor(messageConfig),
    parsedPublicKey,
  };
}

/** Unlocks the reporter's private key with the receipt; a wrong receipt throws DecryptionError. */
export async function unlockReporterKey(lockedPrivateKey: string, receipt: string): Promise<PrivateKey> {
  const privateKey = await readPrivateKey({ armoredKey: lockedPrivateKey, config: messageConfig });
  try {
    return await decryptKey({ privateKey, passphrase: normalizeReceipt(receipt), config: messageConfig });
  } catch (cause) {
    throw new DecryptionError('The receipt does not unlock this key.', { cause });
  }
}

/**
 * The work of unlocking, for a worker thread (./reporter-key-pool.ts): the unlocked key's packets, or
 * null when the receipt does not unlock it (an error cannot cross threads as its own class).
 */
export async function unlockedReporterKeyPackets(task: {
  lockedPrivateKey: string;
  receipt: string;
}): Promise<Uint8Array | null> {
  try {
    return (await unlockReporterKey(task.lockedPrivateKey, task.receipt)).write();
  } catch (error) {
    if (error instanceof DecryptionError) return null;
    throw error;
  }
}

/** How far ahead of the server's clock a reporter's browser may be when it makes its key. */
const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * Checks what a client submits as a reporter key: a public key that can receive messages and a
 * private key for the same fingerprint that is locked (never a plaintext private key on our disk).
 * Returns the fingerprint and every key ID a message to it may name.
 */
export async function checkReporterKey(
  publicKey: string,
  lockedPrivateKey: string,
  options: {
    /** Verifies (and marks verified) what signatures it can before OpenPGP.js checks the key: ./self-signatures-native.ts in Node. */
    verifyFirst?: (key: PublicKey) => Promise<void>;
  } = {},
): Promise<{ fingerprint: string; keyIds: Set<string> }> {
  let fingerprint: string;
  let keyIds: Set<string>;
  try {
    const pub = await readKey({ armoredKey: publicKey, config: messageConfig });
    if (pub.isPrivate()) throw new Error('private');
    await options.verifyFirst?.(pub);
    // A reporter's clock may run ahead of ours: a key made "in the future" (up to a day) is checked at
    // its own creation time rather than refused as not yet valid.
    const created = pub.getCreationTime().getTime();
    const checkedAt = created > Date.now() && created - Date.now() <= CLOCK_SKEW_MS ? new Date(created) : new Date();
    await pub.getEncryptionKey(undefined, checkedAt, undefined, messageConfig);
    fingerprint = pub.getFingerprint().toUpperCase();
    keyIds = new Set(pub.getKeyIDs().map((id) => id.toHex()));
  } catch (cause) {
    throw new InvalidKeyError('malformed', 'The reporter public key is not a usable OpenPGP public key.', { cause });
  }
  let locked: PrivateKey;
  try {
    locked = await readPrivateKey({ armoredKey: lockedPrivateKey, config: messageConfig });
  } catch (cause) {
    throw new InvalidKeyError('malformed', 'The locked reporter key is not an OpenPGP private key.', { cause });
  }
  if (locked.getFingerprint().toUpperCase() !== fingerprint) {
    throw new InvalidKeyError('malformed', 'The locked reporter key does not belong to the reporter public key.');
  }
  if (locked.isDecrypted()) {
    throw new InvalidKeyError(
      'private-key',
      'The reporter private key must be locked under the receipt, never sent in the clear.',
    );
  }
  return { fingerprint, keyIds };
}

/**
 * True when a locked private key (armored) needs Argon2 to unlock: its primary key or a subkey is
 * protected with the Argon2 S2K. Keys locked with the iterated-and-salted S2K unlock without
 * WebAssembly. Reads the packets only; no passphrase is involved.
 */
export async function isLockedWithArgon2(armoredLockedKey: string): Promise<boolean> {
  const key = await readPrivateKey({ armoredKey: armoredLockedKey, config: messageConfig });
  // OpenPGP.js keeps the parsed S2K on the secret key packet; its type names the function.
  const s2kType = (packet: unknown) => (packet as { s2k?: { type?: string } | null }).s2k?.type;
  return [key.keyPacket, ...key.subkeys.map((subkey) => subkey.keyPacket)].some(
    (packet) => s2kType(packet) === 'argon2',
  );
}

const fastLockConfig: Config = Object.freeze({
  ...messageConfig,
  aeadProtect: true,
  s2kType: enums.s2k.iterated,
  s2kIterationCountByte: 96,
});
