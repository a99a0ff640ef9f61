// What the native OpenPGP code (./session-key-packets.ts, ./reporter-key-native.ts,
// ./self-signatures-native.ts) shares: the legacy curve OIDs, the hashes Node computes for OpenPGP's
// hash ids, raw Curve25519 points as Node keys, and the packet framing of RFC 9580 §4.2 and §3.2.
import crypto from 'node:crypto';
import { enums } from 'openpgp';

/** RFC 9580 §9.2: the OIDs of the legacy (v4 EdDSA and ECDH) forms of Ed25519 and Curve25519, hex. */
export const ED25519_LEGACY_OID = '2b06010401da470f01';
export const CURVE25519_LEGACY_OID = '2b060104019755010501';

/** The hashes we compute natively, by OpenPGP hash id; others are left to OpenPGP.js. */
export const NATIVE_HASHES = new Map<number, string>([
  [enums.hash.sha256, 'sha256'],
  [enums.hash.sha384, 'sha384'],
  [enums.hash.sha512, 'sha512'],
]);

export function x25519PublicKey(raw: Uint8Array): crypto.KeyObject {
  return crypto.createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

export function ed25519PublicKey(raw: Uint8Array): crypto.KeyObject {
  return crypto.createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/** A new-format packet with its header, as OpenPGP.js writes it (these bodies are always under 8,384 octets). */
export function newFormatPacket(tag: number, body: Uint8Array): Buffer {
  const length =
    body.length < 192
      ? Buffer.from([body.length])
      : Buffer.from([((body.length - 192) >> 8) + 192, (body.length - 192) & 0xff]);
  return Buffer.concat([Buffer.from([0xc0 | tag]), length, body]);
}

/** A multiprecision integer (RFC 9580 §3.2): its bit count, then its octets without leading zeros. */
export function mpi(value: Uint8Array): Buffer {
  let start = 0;
  while (start < value.length && value[start] === 0) start += 1;
  const bytes = value.subarray(start);
  const bits = bytes.length === 0 ? 0 : (bytes.length - 1) * 8 + (32 - Math.clz32(bytes[0]!));
  return Buffer.concat([Buffer.from([bits >> 8, bits & 0xff]), bytes]);
}
