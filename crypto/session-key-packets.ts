// Session-key packets (PKESK v3) made with Node's native crypto for Curve25519 recipients: the cost
// of each added recipient of a server-encrypted message. OpenPGP.js makes them through WebCrypto's
// asynchronous calls and checks every recipient key's signatures again on each message; here a
// key's checks run once per key object (until the key could have expired, at most a minute), and the
// X25519 agreement, the KDF and the AES key wrap are one synchronous native call each. Other
// algorithms (RSA) still have OpenPGP.js make their packet, from the same checked subkey. The intake
// opens the packets of mail sent to its own Curve25519 key the same way (openSessionKeyNatively):
// OpenPGP.js would import the private key into WebCrypto again for every message.
import crypto from 'node:crypto';
import {
  PublicKeyEncryptedSessionKeyPacket,
  enums,
  type PrivateKey,
  type PublicKey,
  type SessionKey,
  type Subkey,
  type Config,
} from 'openpgp';
import { messageConfig } from './openpgp-config';
import { CURVE25519_LEGACY_OID, NATIVE_HASHES, newFormatPacket, x25519PublicKey } from './native-packets';

const ANONYMOUS_SENDER = Buffer.from('Anonymous Sender    ', 'latin1');
const X25519_HKDF_INFO = Buffer.from('OpenPGP X25519', 'latin1');
const KEY_WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
/** A recipient key's checks are reused at most this long (and never past the key's expiry). */
const CHECKS_REUSED_MS = 60_000;

const WRAP_CIPHERS = new Map<number, { name: string; keyBytes: number }>([
  [enums.symmetric.aes128, { name: 'id-aes128-wrap', keyBytes: 16 }],
  [enums.symmetric.aes192, { name: 'id-aes192-wrap', keyBytes: 24 }],
  [enums.symmetric.aes256, { name: 'id-aes256-wrap', keyBytes: 32 }],
]);

/** How the session key is wrapped for one recipient's encryption subkey. */
type Wrapping =
  | { kind: 'ecdh'; recipient: crypto.KeyObject; param: Buffer; hash: string; wrap: { name: string; keyBytes: number } }
  | { kind: 'x25519'; recipient: crypto.KeyObject; recipientRaw: Buffer }
  | { kind: 'openpgp' };

/** A recipient key, checked: the subkey that messages to it use, and what its self-signature prefers. */
export interface EncryptionTarget {
  keyPacket: Subkey['keyPacket'] | PublicKey['keyPacket'];
  keyId: Uint8Array;
  wrapping: Wrapping;
  /** The primary self-signature's symmetric algorithms and whether it asks for SEIPD v2 (AEAD). */
  prefers: { symmetric: readonly number[]; seipdv2: boolean };
  validUntil: number;
}

/** RFC 9580 §5.2.3.32: the Features bit for SEIPD v2 (OpenPGP.js's typings leave the enum out). */
const FEATURE_SEIPD_V2 = 0x08;

/** What OpenPGP.js has at run time and its typings leave out. */
interface UntypedParts {
  getPrimarySelfSignature(
    date: Date,
    userId: undefined,
    config: Config,
  ): Promise<{ features: number[] | null; preferredSymmetricAlgorithms: number[] | null }>;
}
interface WritableKeyId {
  write(): Uint8Array;
}
interface PkeskPacket {
  encrypt(keyPacket: unknown): Promise<void>;
  write(): Uint8Array;
}

const checked = new WeakMap<PublicKey, EncryptionTarget>();

/**
 * Each recipient's encryption subkey as OpenPGP.js chooses and checks it (signatures, expiry,
 * revocation, allowed algorithms), reused for the same key object while the result cannot change.
 */
export async function encryptionTargets(recipients: PublicKey[], config: Config = messageConfig) {
  const now = Date.now();
  return Promise.all(
    recipients.map(async (key) => {
      const known = checked.get(key);
      if (known && now < known.validUntil) return known;
      const target = await checkTarget(key, new Date(now), config);
      checked.set(key, target);
      return target;
    }),
  );
}

/**
 * A key this process has just made and signed itself (./reporter-key-native.ts): its encryption
 * subkey is taken as it stands, its signatures unchecked, for the same minute as a checked key.
 */
export function rememberOwnKey(key: PublicKey): void {
  const subkey = key.subkeys[0];
  const selfCertification = key.users[0]?.selfCertifications[0];
  if (!subkey || !selfCertification) throw new TypeError('not a key with a user ID and an encryption subkey');
  checked.set(key, targetOf(subkey, selfCertification, Date.now() + CHECKS_REUSED_MS));
}

async function checkTarget(key: PublicKey, date: Date, config: Config): Promise<EncryptionTarget> {
  const encryptionKey = await key.getEncryptionKey(undefined, date, undefined, config);
  const selfSignature = await (key as unknown as UntypedParts).getPrimarySelfSignature(date, undefined, config);
  const expiries = [await key.getExpirationTime(undefined, config)];
  if (encryptionKey !== key) expiries.push(await (encryptionKey as Subkey).getExpirationTime(date, config));
  const expiresAt = Math.min(...expiries.map((e) => (e instanceof Date ? e.getTime() : Infinity)));
  return targetOf(encryptionKey, selfSignature, Math.min(expiresAt, date.getTime() + CHECKS_REUSED_MS));
}

/** The target for an encryption (sub)key, with what the primary self-signature prefers. */
function targetOf(
  encryptionKey: PublicKey | Subkey,
  selfSignature: {
    features: ArrayLike<number> | null;
    preferredSymmetricAlgorithms: readonly number[] | null;
  },
  validUntil: number,
): EncryptionTarget {
  const features = selfSignature.features;
  return {
    keyPacket: encryptionKey.keyPacket,
    keyId: (encryptionKey.getKeyID() as unknown as WritableKeyId).write(),
    wrapping: wrappingFor(encryptionKey.keyPacket),
    prefers: {
      symmetric: selfSignature.preferredSymmetricAlgorithms ?? [],
      seipdv2: Boolean(features && features[0]! & FEATURE_SEIPD_V2),
    },
    validUntil,
  };
}

function wrappingFor(keyPacket: EncryptionTarget['keyPacket']): Wrapping {
  const params = keyPacket.publicParams as {
    oid?: { toHex(): string; write(): Uint8Array };
    Q?: Uint8Array;
    A?: Uint8Array;
    kdfParams?: { hash: number; cipher: number; write(): Uint8Array };
  };
  if (keyPacket.version === 4 && keyPacket.algorithm === enums.publicKey.ecdh) {
    const { oid, Q, kdfParams } = params;
    const hash = kdfParams && NATIVE_HASHES.get(kdfParams.hash);
    const wrap = kdfParams && WRAP_CIPHERS.get(kdfParams.cipher);
    if (oid?.toHex() !== CURVE25519_LEGACY_OID || !Q || Q.length !== 33 || Q[0] !== 0x40 || !hash || !wrap)
      return { kind: 'openpgp' };
    // RFC 6637 §8: the KDF's fixed parameters name the curve, the algorithm, the KDF and the recipient.
    const param = Buffer.concat([
      oid.write(),
      Buffer.from([enums.publicKey.ecdh]),
      kdfParams.write(),
      ANONYMOUS_SENDER,
      keyPacket.getFingerprintBytes()!,
    ]);
    return { kind: 'ecdh', recipient: x25519PublicKey(Q.subarray(1)), param, hash, wrap };
  }
  if (keyPacket.algorithm === enums.publicKey.x25519 && params.A?.length === 32) {
    return { kind: 'x25519', recipient: x25519PublicKey(params.A), recipientRaw: Buffer.from(params.A) };
  }
  return { kind: 'openpgp' };
}

/**
 * The session key OpenPGP.js would choose for these recipients under `config` without AEAD: the
 * configured cipher when every recipient lists it, else AES-128. Null when every recipient asks for
 * SEIPD v2, where OpenPGP.js would make an AEAD message (the caller then leaves it all to OpenPGP.js).
 */
export function sessionKeyFor(targets: EncryptionTarget[], config: Config = messageConfig): SessionKey | null {
  if (targets.length === 0 || targets.every((t) => t.prefers.seipdv2)) return null;
  const wanted = config.preferredSymmetricAlgorithm;
  const algorithm = targets.every((t) => t.prefers.symmetric.includes(wanted)) ? wanted : enums.symmetric.aes128;
  const bytes = WRAP_CIPHERS.get(algorithm)?.keyBytes;
  if (!bytes) return null;
  return { data: new Uint8Array(crypto.randomBytes(bytes)), algorithm: enums.read(enums.symmetric, algorithm) };
}

/** One recipient's PKESK v3 packet (header included) for `sessionKey`. */
export async function sessionKeyPacket(target: EncryptionTarget, sessionKey: SessionKey): Promise<Uint8Array> {
  const symmetric = enums.symmetric[sessionKey.algorithm];
  const { wrapping } = target;
  if (wrapping.kind === 'ecdh') {
    const { sharedSecret, ephemeral } = agree(wrapping.recipient);
    const kek = ecdhKek(wrapping, sharedSecret);
    const wrapped = keyWrap(wrapping.wrap.name, kek, pkcs5Pad(withChecksum(symmetric, sessionKey.data)));
    // The ephemeral point as an MPI: 0x40 then 32 bytes, 263 bits.
    const point = Buffer.concat([Buffer.from([0x01, 0x07, 0x40]), ephemeral]);
    return packet(target.keyId, enums.publicKey.ecdh, point, Buffer.from([wrapped.length]), wrapped);
  }
  if (wrapping.kind === 'x25519') {
    const { sharedSecret, ephemeral } = agree(wrapping.recipient);
    const ikm = Buffer.concat([ephemeral, wrapping.recipientRaw, sharedSecret]);
    const kek = Buffer.from(crypto.hkdfSync('sha256', ikm, Buffer.alloc(0), X25519_HKDF_INFO, 16));
    const wrapped = keyWrap('id-aes128-wrap', kek, sessionKey.data);
    // RFC 9580 §5.1.6: in a v3 packet the cipher octet goes in the clear, counted in the length.
    return packet(
      target.keyId,
      enums.publicKey.x25519,
      ephemeral,
      Buffer.from([wrapped.length + 1, symmetric]),
      wrapped,
    );
  }
  const pkesk = (PublicKeyEncryptedSessionKeyPacket as unknown as { fromObject(o: object): PkeskPacket }).fromObject({
    version: 3,
    encryptionKeyPacket: target.keyPacket,
    anonymousRecipient: false,
    sessionKey: sessionKey.data,
    sessionKeyAlgorithm: symmetric,
  });
  await pkesk.encrypt(target.keyPacket);
  return withHeader(pkesk.write());
}

/** A fresh ephemeral X25519 key pair agreed with the recipient; Node refuses a low-order point. */
function agree(recipient: crypto.KeyObject): { sharedSecret: Buffer; ephemeral: Buffer } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('x25519');
  const sharedSecret = crypto.diffieHellman({ privateKey, publicKey: recipient });
  // As a JWK, not DER: the raw point without the cost of writing a SubjectPublicKeyInfo.
  const ephemeral = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { sharedSecret, ephemeral };
}

/** RFC 6637 §7: the key-encryption key, from the shared secret and the KDF's fixed parameters. */
function ecdhKek(kdf: { hash: string; param: Buffer; wrap: { keyBytes: number } }, sharedSecret: Buffer): Buffer {
  return crypto
    .createHash(kdf.hash)
    .update(Buffer.from([0, 0, 0, 1]))
    .update(sharedSecret)
    .update(kdf.param)
    .digest()
    .subarray(0, kdf.wrap.keyBytes);
}

function keyWrap(cipher: string, kek: Buffer, data: Uint8Array): Buffer {
  const wrap = crypto.createCipheriv(cipher, kek, KEY_WRAP_IV);
  return Buffer.concat([wrap.update(data), wrap.final()]);
}

/** RFC 9580 §5.1.3 for algorithm 18: the cipher octet, the key, and its two-octet sum. */
function withChecksum(symmetric: number, key: Uint8Array): Buffer {
  let sum = 0;
  for (const byte of key) sum = (sum + byte) & 0xffff;
  return Buffer.concat([Buffer.from([symmetric]), key, Buffer.from([sum >> 8, sum & 0xff])]);
}

/** RFC 6637 §8: padded to a multiple of 8 octets, each padding octet its count. */
function pkcs5Pad(data: Buffer): Buffer {
  const pad = 8 - (data.length % 8);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

function packet(keyId: Uint8Array, algorithm: number, ...fields: Uint8Array[]): Uint8Array {
  return withHeader(Buffer.concat([Buffer.from([3]), keyId, Buffer.from([algorithm]), ...fields]));
}

/** A PKESK packet with its header. */
function withHeader(body: Uint8Array): Uint8Array {
  return new Uint8Array(newFormatPacket(enums.packet.publicKeyEncryptedSessionKey, body));
}

/** A legacy Curve25519 secret subkey as native crypto uses it, with its RFC 6637 KDF parameters. */
interface OpeningKey {
  privateKey: crypto.KeyObject;
  param: Buffer;
  hash: string;
  wrap: { name: string; keyBytes: number };
}
const openingKeys = new WeakMap<object, OpeningKey | null>();

/** What OpenPGP.js's PKESK packet holds once read (its typings leave these out). */
interface ReadPkesk {
  version: number;
  publicKeyAlgorithm: number;
  publicKeyID: { isWildcard(): boolean; toHex(): string };
  encrypted?: { V?: Uint8Array; C?: { data?: Uint8Array } };
}

/**
 * The session key in a PKESK v3 packet to one of `key`'s legacy Curve25519 (ECDH) subkeys, opened
 * natively. Null when the packet is of another kind or for another key (OpenPGP.js then opens it),
 * or when it does not open: the caller then lets OpenPGP.js try, and report, as it always has.
 */
export function openSessionKeyNatively(packet: PublicKeyEncryptedSessionKeyPacket, key: PrivateKey): SessionKey | null {
  const read = packet as unknown as ReadPkesk;
  const V = read.encrypted?.V;
  const C = read.encrypted?.C?.data;
  if (read.version !== 3 || read.publicKeyAlgorithm !== enums.publicKey.ecdh || read.publicKeyID.isWildcard())
    return null;
  if (!V || V.length !== 33 || V[0] !== 0x40 || !C || C.length < 24 || C.length % 8 !== 0) return null;
  const keyId = read.publicKeyID.toHex();
  const keyPacket = [key, ...key.subkeys].find((k) => k.getKeyID().toHex() === keyId)?.keyPacket;
  if (!keyPacket) return null;
  const opening = openingKeyOf(keyPacket);
  if (!opening) return null;
  try {
    const sharedSecret = crypto.diffieHellman({
      privateKey: opening.privateKey,
      publicKey: x25519PublicKey(V.subarray(1)),
    });
    const kek = ecdhKek(opening, sharedSecret);
    const unwrap = crypto.createDecipheriv(opening.wrap.name, kek, KEY_WRAP_IV);
    return sessionKeyOf(Buffer.concat([unwrap.update(C), unwrap.final()]));
  } catch {
    return null;
  }
}

function openingKeyOf(keyPacket: object): OpeningKey | null {
  if (openingKeys.has(keyPacket)) return openingKeys.get(keyPacket)!;
  const packet = keyPacket as Subkey['keyPacket'] & { privateParams?: { d?: Uint8Array } | null };
  const d = packet.privateParams?.d;
  const wrapping = wrappingFor(packet);
  const opening =
    wrapping.kind === 'ecdh' && d?.length === 32
      ? {
          // OpenPGP keeps a legacy Curve25519 secret big-endian; X25519 takes it little-endian.
          privateKey: crypto.createPrivateKey({
            key: {
              kty: 'OKP',
              crv: 'X25519',
              d: Buffer.from(d).reverse().toString('base64url'),
              x: Buffer.from((packet.publicParams as { Q: Uint8Array }).Q.subarray(1)).toString('base64url'),
            },
            format: 'jwk',
          }),
          param: wrapping.param,
          hash: wrapping.hash,
          wrap: wrapping.wrap,
        }
      : null;
  openingKeys.set(keyPacket, opening);
  return opening;
}

/** RFC 6637 §8 and RFC 9580 §5.1.3 in reverse: the padding, the cipher octet, the key and its sum, all checked. */
function sessionKeyOf(padded: Buffer): SessionKey | null {
  const pad = padded[padded.length - 1]!;
  if (pad < 1 || pad > 8 || padded.length - pad < 3) return null;
  if (!padded.subarray(padded.length - pad).every((byte) => byte === pad)) return null;
  const plain = padded.subarray(0, padded.length - pad);
  const algorithm = plain[0]!;
  const data = plain.subarray(1, plain.length - 2);
  if (WRAP_CIPHERS.get(algorithm)?.keyBytes !== data.length) return null;
  let sum = 0;
  for (const byte of data) sum = (sum + byte) & 0xffff;
  if (plain.readUInt16BE(plain.length - 2) !== sum) return null;
  return { data: new Uint8Array(data), algorithm: enums.read(enums.symmetric, algorithm) };
}
