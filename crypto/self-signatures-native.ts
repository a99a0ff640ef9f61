// A submitted reporter key's self-signatures, verified with Node's native Ed25519 before OpenPGP.js
// checks the key: OpenPGP.js verifies each through WebCrypto's asynchronous calls, importing the key
// every time, the largest part of a JavaScript submission's checks. A signature that verifies here
// is marked as OpenPGP.js marks one it verified itself, so that its own checks (dates, flags,
// critical subpackets, revocations, algorithms) all still run and only the arithmetic is not done
// twice; one that does not verify here, or is of another kind, is left for OpenPGP.js to judge.
import crypto from 'node:crypto';
import { enums, type PublicKey } from 'openpgp';
import { ED25519_LEGACY_OID, NATIVE_HASHES, ed25519PublicKey } from './native-packets';

/** What OpenPGP.js's signature and key packets hold once read (its typings leave these out). */
interface ReadSignature {
  version: number;
  publicKeyAlgorithm: number;
  hashAlgorithm: number;
  signedHashValue: Uint8Array;
  issuerKeyID: { equals(other: unknown): boolean };
  params: { r?: Uint8Array; s?: Uint8Array } | Promise<{ r?: Uint8Array; s?: Uint8Array }>;
  toHash(signatureType: number, data: object): Uint8Array;
}
type KeyPacket = PublicKey['keyPacket'];

/** Verifies what it can of `key`'s user ID certifications and subkey bindings; never throws for a bad one. */
export async function verifySelfSignaturesNatively(key: PublicKey): Promise<void> {
  const primary = key.keyPacket;
  const signer = ed25519KeyOf(primary);
  if (!signer) return;
  for (const user of key.users) {
    if (!user.userID) continue;
    for (const signature of user.selfCertifications)
      await verifyOne(signature, signer, primary, { key: primary, userID: user.userID });
  }
  for (const subkey of key.subkeys) {
    for (const signature of subkey.bindingSignatures)
      await verifyOne(
        signature,
        signer,
        primary,
        { key: primary, bind: subkey.keyPacket },
        enums.signature.subkeyBinding,
      );
  }
}

async function verifyOne(
  packet: object,
  signer: crypto.KeyObject,
  primary: KeyPacket,
  data: object,
  type?: number,
): Promise<void> {
  const signature = packet as ReadSignature & { signatureType: number };
  const hash = NATIVE_HASHES.get(signature.hashAlgorithm);
  if (signature.version !== 4 || signature.publicKeyAlgorithm !== enums.publicKey.eddsaLegacy || !hash) return;
  if (!signature.issuerKeyID.equals(primary.getKeyID())) return;
  const marker = verifiedMarker(signature);
  if (!marker) return;
  const { r, s } = await signature.params;
  if (!r || !s || r.length > 32 || s.length > 32) return;
  const digest = crypto
    .createHash(hash)
    .update(signature.toHash(type ?? signature.signatureType, data))
    .digest();
  if (digest[0] !== signature.signedHashValue[0] || digest[1] !== signature.signedHashValue[1]) return;
  // Legacy EdDSA signs the digest; r and s are MPIs, without their leading zeros.
  const rs = Buffer.concat([leftPad(r), leftPad(s)]);
  if (crypto.verify(null, digest, signer, rs)) (signature as unknown as Record<symbol, boolean>)[marker] = true;
}

function ed25519KeyOf(primary: KeyPacket): crypto.KeyObject | null {
  const params = primary.publicParams as { oid?: { toHex(): string }; Q?: Uint8Array };
  if (primary.version !== 4 || primary.algorithm !== enums.publicKey.eddsaLegacy) return null;
  if (params.oid?.toHex() !== ED25519_LEGACY_OID || params.Q?.length !== 33 || params.Q[0] !== 0x40) return null;
  return ed25519PublicKey(params.Q.subarray(1));
}

/** OpenPGP.js's own mark of a verified signature (a symbol each signature packet carries from birth). */
function verifiedMarker(signature: object): symbol | undefined {
  return Object.getOwnPropertySymbols(signature).find((symbol) => symbol.description === 'verified');
}

function leftPad(bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.alloc(32 - bytes.length), bytes]);
}
