// The reporter key pair for the server's own paths (the e-mail intake, the form without JavaScript),
// made with Node's native Ed25519 and X25519 and written packet by packet: OpenPGP.js makes the same
// key through two key generations, three WebCrypto signatures and a locking pass, about 3 ms of CPU
// per report, which was the largest share of a mail's cost. The packets are those OpenPGP.js writes
// for createReporterKey(receipt, 'fast') (./reporter-key.ts): a v4 EdDSA primary key with the user ID
// "Reporter", a v4 ECDH Curve25519 subkey, the same self-signature subpackets, and the secret halves
// locked with the iterated-and-salted S2K and AES-256-GCM (RFC 9580 §5.5.3). Tests read them back
// with OpenPGP.js and GnuPG. Node only: the browser keeps createReporterKey.
import crypto from 'node:crypto';
import { armor, enums, readKey } from 'openpgp';
import { messageConfig } from './openpgp-config';
import { CURVE25519_LEGACY_OID, ED25519_LEGACY_OID, mpi, newFormatPacket } from './native-packets';
import { normalizeReceipt } from './receipt';
import type { ReporterKey } from './reporter-key';
import { rememberOwnKey } from './session-key-packets';

const ED25519_OID = Buffer.from(ED25519_LEGACY_OID, 'hex');
const CURVE25519_OID = Buffer.from(CURVE25519_LEGACY_OID, 'hex');
/** RFC 6637 §9 KDF parameters, as OpenPGP.js sets them for Curve25519: SHA-256 and AES-128 key wrap. */
const KDF_PARAMS = Buffer.from([3, 1, enums.hash.sha256, enums.symmetric.aes128]);
const USER_ID = Buffer.from('Reporter', 'utf8');
/** OpenPGP.js salts each signature with a random notation (a defence against fault attacks). */
const SALT_NOTATION = Buffer.from('salt@notations.openpgpjs.org', 'utf8');
/** The fast lock's S2K: iterated and salted, SHA-256, count byte 96 (65,536 octets hashed). */
const S2K_COUNT_BYTE = 96;
const LOCK_CIPHER = enums.symmetric.aes256;
const LOCK_AEAD = enums.aead.gcm;
const GCM_NONCE_BYTES = 12;

const TAG = { secretKey: 5, signature: 2, userID: 13, publicKey: 6, secretSubkey: 7, publicSubkey: 14 } as const;

/** createReporterKey(receipt, 'fast'), natively: the same packets, a fraction of the CPU. */
export async function createFastReporterKeyNatively(receipt: string): Promise<ReporterKey> {
  const created = Math.floor(Date.now() / 1000);
  const signing = ed25519Pair();
  const encryption = x25519Pair();
  const primaryPublic = keyBody(created, enums.publicKey.eddsaLegacy, ED25519_OID, signing.point);
  const subkeyPublic = keyBody(created, enums.publicKey.ecdh, CURVE25519_OID, encryption.point, KDF_PARAMS);
  const fingerprint = crypto.createHash('sha1').update(hashedKey(primaryPublic)).digest();
  const issuer = { keyId: fingerprint.subarray(12), fingerprint };

  const certification = signature(signing.privateKey, 0x13, created, certificationSubpackets(issuer), [
    hashedKey(primaryPublic),
    Buffer.concat([Buffer.from([0xb4]), uint32(USER_ID.length), USER_ID]),
  ]);
  const binding = signature(signing.privateKey, 0x18, created, bindingSubpackets(issuer), [
    hashedKey(primaryPublic),
    hashedKey(subkeyPublic),
  ]);

  const passphrase = Buffer.from(normalizeReceipt(receipt), 'utf8');
  const publicPackets = Buffer.concat([
    newFormatPacket(TAG.publicKey, primaryPublic),
    newFormatPacket(TAG.userID, USER_ID),
    newFormatPacket(TAG.signature, certification),
    newFormatPacket(TAG.publicSubkey, subkeyPublic),
    newFormatPacket(TAG.signature, binding),
  ]);
  const secretPackets = Buffer.concat([
    newFormatPacket(TAG.secretKey, lockedSecret(TAG.secretKey, primaryPublic, mpi(signing.seed), passphrase)),
    newFormatPacket(TAG.userID, USER_ID),
    newFormatPacket(TAG.signature, certification),
    newFormatPacket(TAG.secretSubkey, lockedSecret(TAG.secretSubkey, subkeyPublic, mpi(encryption.secret), passphrase)),
    newFormatPacket(TAG.signature, binding),
  ]);

  // Parsing only (no signature is checked); this process made and signed the key, so its checks
  // as a recipient are known and skipped (see rememberOwnKey).
  const parsedPublicKey = await readKey({ binaryKey: publicPackets, config: messageConfig });
  rememberOwnKey(parsedPublicKey);
  return {
    fingerprint: fingerprint.toString('hex').toUpperCase(),
    publicKey: armor(enums.armor.publicKey, publicPackets, undefined, undefined, undefined, true, messageConfig),
    lockedPrivateKey: armor(
      enums.armor.privateKey,
      secretPackets,
      undefined,
      undefined,
      undefined,
      true,
      messageConfig,
    ),
    parsedPublicKey,
  };
}

function ed25519Pair(): { privateKey: crypto.KeyObject; point: Buffer; seed: Buffer } {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { privateKey, point: prefixed(jwk.x!), seed: Buffer.from(jwk.d!, 'base64url') };
}

/** As OpenPGP.js stores a legacy Curve25519 secret: big-endian and clamped (RFC 9580 §5.5.5.6.1.1). */
function x25519Pair(): { point: Buffer; secret: Buffer } {
  const { privateKey } = crypto.generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const secret = Buffer.from(jwk.d!, 'base64url').reverse();
  secret[0] = (secret[0]! & 127) | 64;
  secret[31] = secret[31]! & 248;
  return { point: prefixed(jwk.x!), secret };
}

/** A native point as RFC 6637 writes it: 0x40, then the 32 octets. */
function prefixed(base64url: string): Buffer {
  return Buffer.concat([Buffer.from([0x40]), Buffer.from(base64url, 'base64url')]);
}

/** A v4 public key packet's body: version, creation time, algorithm, curve OID, point, KDF parameters. */
function keyBody(created: number, algorithm: number, oid: Buffer, point: Buffer, kdf?: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([4]),
    uint32(created),
    Buffer.from([algorithm, oid.length]),
    oid,
    mpi(point),
    kdf ?? Buffer.alloc(0),
  ]);
}

/** A key as signatures and fingerprints hash it (RFC 9580 §5.2.4). */
function hashedKey(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x99, body.length >> 8, body.length & 0xff]), body]);
}

interface Issuer {
  keyId: Buffer;
  fingerprint: Buffer;
}

function certificationSubpackets(issuer: Issuer): Buffer[] {
  return [
    subpacket(11, Buffer.from([enums.symmetric.aes256, enums.symmetric.aes128])),
    subpacket(16, issuer.keyId),
    saltNotation(),
    subpacket(21, Buffer.from([enums.hash.sha512, enums.hash.sha256, enums.hash.sha3_512, enums.hash.sha3_256])),
    subpacket(22, Buffer.from([enums.compression.uncompressed, enums.compression.zlib, enums.compression.zip])),
    subpacket(25, Buffer.from([1])),
    subpacket(27, Buffer.from([enums.keyFlags.certifyKeys | enums.keyFlags.signData]), true),
    subpacket(30, Buffer.from([1])),
    subpacket(33, Buffer.concat([Buffer.from([4]), issuer.fingerprint])),
  ];
}

function bindingSubpackets(issuer: Issuer): Buffer[] {
  return [
    subpacket(16, issuer.keyId),
    saltNotation(),
    subpacket(27, Buffer.from([enums.keyFlags.encryptCommunication | enums.keyFlags.encryptStorage]), true),
    subpacket(33, Buffer.concat([Buffer.from([4]), issuer.fingerprint])),
  ];
}

/** A v4 EdDSA signature packet's body over `signed` (RFC 9580 §5.2.3–5.2.4; EdDSA signs the digest). */
function signature(
  key: crypto.KeyObject,
  type: number,
  created: number,
  subpackets: Buffer[],
  signed: Buffer[],
): Buffer {
  const hashed = Buffer.concat([subpacket(2, uint32(created), true), ...subpackets]);
  const head = Buffer.concat([
    Buffer.from([4, type, enums.publicKey.eddsaLegacy, enums.hash.sha512, hashed.length >> 8, hashed.length & 0xff]),
    hashed,
  ]);
  const digest = crypto.createHash('sha512');
  for (const part of signed) digest.update(part);
  digest
    .update(head)
    .update(Buffer.from([4, 0xff]))
    .update(uint32(head.length));
  const hash = digest.digest();
  const rs = crypto.sign(null, hash, key);
  // No unhashed subpackets: the issuer is in the hashed ones.
  return Buffer.concat([head, uint16(0), hash.subarray(0, 2), mpi(rs.subarray(0, 32)), mpi(rs.subarray(32))]);
}

function saltNotation(): Buffer {
  const value = crypto.randomBytes(32);
  return subpacket(
    20,
    Buffer.concat([
      Buffer.from([0, 0, 0, 0]),
      uint16(SALT_NOTATION.length),
      uint16(value.length),
      SALT_NOTATION,
      value,
    ]),
  );
}

function subpacket(type: number, data: Buffer, critical = false): Buffer {
  // Every subpacket here is shorter than 192 octets: a one-octet length, counting the type.
  return Buffer.concat([Buffer.from([data.length + 1, critical ? type | 0x80 : type]), data]);
}

/**
 * A v4 secret key packet's body, the secret locked as OpenPGP.js locks it with aeadProtect: S2K usage
 * 253, AES-256, GCM; the key from the iterated S2K through HKDF-SHA256; the packet's tag and public
 * part as associated data, so that neither can be swapped (RFC 9580 §5.5.3).
 */
function lockedSecret(tag: number, publicBody: Buffer, secret: Buffer, passphrase: Buffer): Buffer {
  const salt = crypto.randomBytes(8);
  const s2k = Buffer.concat([
    Buffer.from([enums.s2k.iterated, enums.hash.sha256]),
    salt,
    Buffer.from([S2K_COUNT_BYTE]),
  ]);
  const packetTag = Buffer.from([0xc0 | tag]);
  const derived = iteratedS2k(salt, passphrase, S2K_COUNT_BYTE);
  const key = Buffer.from(
    crypto.hkdfSync(
      'sha256',
      derived,
      Buffer.alloc(0),
      Buffer.concat([packetTag, Buffer.from([4, LOCK_CIPHER, LOCK_AEAD])]),
      32,
    ),
  );
  const nonce = crypto.randomBytes(GCM_NONCE_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.concat([packetTag, publicBody]));
  const locked = Buffer.concat([cipher.update(secret), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([publicBody, Buffer.from([253, LOCK_CIPHER, LOCK_AEAD]), s2k, nonce, locked]);
}

/** RFC 9580 §3.7.1.3: SHA-256 over salt and passphrase repeated to the count's length; 32 octets. */
function iteratedS2k(salt: Buffer, passphrase: Buffer, countByte: number): Buffer {
  const unit = Buffer.concat([salt, passphrase]);
  const count = Math.max((16 + (countByte & 15)) << ((countByte >> 4) + 6), unit.length);
  const input = Buffer.allocUnsafe(count);
  for (let at = 0; at < count; at += unit.length) unit.copy(input, at, 0, Math.min(unit.length, count - at));
  return crypto.createHash('sha256').update(input).digest();
}

function uint16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
