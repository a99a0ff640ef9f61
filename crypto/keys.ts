import { enums, readKey, type Key, type PublicKey, type Subkey } from 'openpgp';
import { InvalidKeyError } from './errors';
import { messageConfig } from './openpgp-config';

/** The key types the rest of the system holds; only crypto/ reads or makes them. */
export type { PrivateKey, PublicKey } from 'openpgp';

/** A public key we accept as a recipient, with what the rest of the system needs to know of it. */
export interface ValidatedKey {
  /** Upper-case hex fingerprint of the primary key. */
  fingerprint: string;
  /** Hex key ID of the subkey (or primary) that messages are encrypted to. */
  encryptionKeyId: string;
  /** For people: "Ed25519 / Curve25519", "RSA-3072 / RSA-3072" (primary / encryption key). */
  algorithm: string;
  userIds: string[];
  /** The key re-armored as we parsed it (public parts only). */
  armored: string;
  key: PublicKey;
}

export interface ValidateKeyOptions {
  /** When given, one of the key's user IDs must carry this e-mail address. */
  email?: string;
  allowUidMismatch?: boolean;
  now?: Date;
}

const MIN_RSA_BITS = 2048;
const permissiveConfig = { ...messageConfig, minRSABits: 512, rejectPublicKeyAlgorithms: new Set<enums.publicKey>() };
const REFUSED_ALGORITHMS = new Set(['dsa', 'elgamal']);

/**
 * Checks that an armored OpenPGP public key can safely receive reports: it parses, is public,
 * is neither expired nor revoked, has a valid encryption (sub)key, uses no weak algorithm
 * (RSA under 2048 bits, DSA, ElGamal) and, when asked, names the member's e-mail address.
 * Throws InvalidKeyError saying why; never returns a half-valid key.
 */
export async function validatePublicKey(armoredKey: string, options: ValidateKeyOptions = {}): Promise<ValidatedKey> {
  const now = options.now ?? new Date();
  let key: Key;
  try {
    key = await readKey({ armoredKey, config: messageConfig });
  } catch (cause) {
    throw new InvalidKeyError('malformed', 'This is not an armored OpenPGP public key (it could not be parsed).', {
      cause,
    });
  }
  if (key.isPrivate()) {
    throw new InvalidKeyError(
      'private-key',
      'This is a private key. Give the public key only (gpg --armor --export EMAIL); never share the private key.',
    );
  }
  const publicKey = key as PublicKey;
  const fingerprint = publicKey.getFingerprint().toUpperCase();

  if (await publicKey.isRevoked(undefined, undefined, now, messageConfig)) {
    throw new InvalidKeyError('revoked', `Key ${fingerprint} has been revoked.`);
  }
  const expiry = await publicKey.getExpirationTime(undefined, messageConfig).catch(() => null);
  if (expiry instanceof Date && expiry.getTime() <= now.getTime()) {
    throw new InvalidKeyError('expired', `Key ${fingerprint} expired on ${expiry.toISOString().slice(0, 10)}.`);
  }

  let encryptionKey: PublicKey | Subkey;
  try {
    // Found under a permissive config so that a weak key is refused as weak, not as "no subkey".
    encryptionKey = await publicKey.getEncryptionKey(undefined, now, undefined, permissiveConfig);
  } catch (cause) {
    throw new InvalidKeyError(
      'no-encryption-subkey',
      `Key ${fingerprint} has no valid encryption subkey (it may be sign-only, or its encryption subkey expired or was revoked).`,
      { cause },
    );
  }

  const primaryAlgorithm = describeAlgorithm(publicKey.getAlgorithmInfo());
  const encryptionAlgorithm = describeAlgorithm(encryptionKey.getAlgorithmInfo());
  for (const info of [publicKey.getAlgorithmInfo(), encryptionKey.getAlgorithmInfo()]) {
    const family = algorithmFamily(info.algorithm);
    if (REFUSED_ALGORITHMS.has(family)) {
      throw new InvalidKeyError(
        'weak',
        `Key ${fingerprint} uses ${family.toUpperCase()}, which we refuse; make an ed25519/cv25519 or RSA-3072 key.`,
      );
    }
    if (family === 'rsa' && (info.bits ?? 0) < MIN_RSA_BITS) {
      throw new InvalidKeyError(
        'weak',
        `Key ${fingerprint} is RSA-${info.bits}; RSA keys need at least ${MIN_RSA_BITS} bits.`,
      );
    }
  }

  // The real test, under the config we encrypt with.
  await publicKey.getEncryptionKey(undefined, now, undefined, messageConfig).catch((cause: unknown) => {
    throw new InvalidKeyError('weak', `Key ${fingerprint} cannot be encrypted to safely: ${(cause as Error).message}`, {
      cause,
    });
  });

  const userIds = publicKey.getUserIDs();
  if (options.email !== undefined && !options.allowUidMismatch) {
    const wanted = options.email.trim().toLowerCase();
    const emails = publicKey.users.map((user) => user.userID?.email.toLowerCase()).filter(Boolean);
    if (!emails.includes(wanted)) {
      throw new InvalidKeyError(
        'uid-mismatch',
        `Key ${fingerprint} has no user ID for ${options.email} (it has: ${userIds.join(', ') || 'none'}). Use --allow-uid-mismatch if this is intended.`,
      );
    }
  }

  return {
    fingerprint,
    encryptionKeyId: encryptionKey.getKeyID().toHex(),
    algorithm: describeKeyAlgorithms(`${primaryAlgorithm}/${encryptionAlgorithm}`),
    userIds,
    armored: publicKey.armor(messageConfig),
    key: publicKey,
  };
}

function algorithmFamily(algorithm: string): string {
  if (algorithm.startsWith('rsa')) return 'rsa';
  if (algorithm === enums.read(enums.publicKey, enums.publicKey.dsa)) return 'dsa';
  if (algorithm === enums.read(enums.publicKey, enums.publicKey.elgamal)) return 'elgamal';
  return algorithm;
}

function describeAlgorithm(info: { algorithm: string; bits?: number; curve?: string }): string {
  const family = algorithmFamily(info.algorithm);
  if (family === 'rsa') return `rsa${info.bits}`;
  return info.curve ?? family;
}

const ALGORITHM_LABELS = new Map([
  ['ed25519legacy', 'Ed25519'],
  ['ed25519', 'Ed25519'],
  ['curve25519legacy', 'Curve25519'],
  ['curve25519', 'Curve25519'],
  ['x25519', 'X25519'],
  ['ed448', 'Ed448'],
  ['x448', 'X448'],
  ['nistp256', 'NIST P-256'],
  ['nistp384', 'NIST P-384'],
  ['nistp521', 'NIST P-521'],
  ['brainpoolp256r1', 'Brainpool P-256'],
  ['brainpoolp384r1', 'Brainpool P-384'],
  ['brainpoolp512r1', 'Brainpool P-512'],
  ['secp256k1', 'secp256k1'],
]);

/**
 * "ed25519Legacy/curve25519Legacy" (OpenPGP.js's names, and what older rows hold) as people say it:
 * "Ed25519 / Curve25519". Labels pass through unchanged.
 */
export function describeKeyAlgorithms(algorithms: string): string {
  return algorithms
    .split(/\s*\/\s*/)
    .map((name) => {
      const rsa = /^rsa-?(\d+)$/i.exec(name);
      if (rsa) return `RSA-${rsa[1]}`;
      return ALGORITHM_LABELS.get(name.toLowerCase().replace(/[\s-]/g, '')) ?? name;
    })
    .join(' / ');
}

/** The user IDs of a public key we published or accepted earlier (no validation: for display). */
export async function publicKeyUserIds(armoredKey: string): Promise<string[]> {
  return (await readKey({ armoredKey, config: messageConfig })).getUserIDs();
}

/** A public key as stored or sent (armored), ready to encrypt to; not validated (validatePublicKey does that). */
export async function readPublicKey(armoredKey: string): Promise<PublicKey> {
  return (await readKey({ armoredKey, config: messageConfig })) as PublicKey;
}

export function readPublicKeys(armoredKeys: readonly string[]): Promise<PublicKey[]> {
  return Promise.all(armoredKeys.map(readPublicKey));
}

/** Every key ID (primary and subkeys, hex) that a message encrypted to this key may name. */
export function keyIdsOf(key: Key): Set<string> {
  return new Set(key.getKeyIDs().map((id) => id.toHex()));
}

export async function publicKeyIds(armoredKey: string): Promise<Set<string>> {
  return keyIdsOf(await readPublicKey(armoredKey));
}

/** A public key as it is published: its binary form (WKD) and its user IDs. */
export async function publishableKey(armoredKey: string): Promise<{ binary: Uint8Array; userIds: string[] }> {
  const key = await readPublicKey(armoredKey);
  return { binary: key.write() as Uint8Array, userIds: key.getUserIDs() };
}
