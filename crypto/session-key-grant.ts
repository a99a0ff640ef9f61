// Grants by re-wrapping (DESIGN §2, issue 10 §1): a reader's browser decrypts a message's session key
// from its own session-key packet and encrypts it to a new recipient's key. Only the packets travel:
// no body is read, decrypted or re-encrypted, so a grant costs the same for a note and for a large
// attachment.
import { PacketList, PublicKeyEncryptedSessionKeyPacket, enums } from 'openpgp';
import { DecryptionError, InvalidKeyError, MalformedMessageError } from './errors';
import type { PrivateKey, PublicKey } from './keys';
import { messageConfig } from './openpgp-config';
import type { SessionKeyPacket } from './split-message';

/** The fields of a PKESK packet OpenPGP.js keeps but does not type, and the two methods it marks private. */
interface PkeskFields {
  version: number;
  publicKeyID: { isWildcard(): boolean; toHex(): string };
  publicKeyAlgorithm: number;
  sessionKey: Uint8Array | null;
  sessionKeyAlgorithm: number | null;
  decrypt(keyPacket: unknown): Promise<void>;
  encrypt(keyPacket: unknown): Promise<void>;
  write(): Uint8Array;
}

interface PkeskFactory {
  fromObject(fields: {
    version: 3;
    encryptionKeyPacket: unknown;
    anonymousRecipient: boolean;
    sessionKey: Uint8Array | null;
    sessionKeyAlgorithm: number | null;
  }): PkeskFields;
}

/**
 * The body of the one packet `bytes` holds, which must be a PKESK (tag 1) filling `bytes` exactly.
 * Only the header is read here (RFC 9580 §4.2, both formats, no partial lengths); the body is read
 * by OpenPGP.js's own packet class. Parsing a packet list instead goes through OpenPGP.js's stream
 * machinery, which costs more than the public-key work of a grant on the server.
 */
function pkeskBody(bytes: Uint8Array): Uint8Array {
  const at = (i: number) => {
    if (i >= bytes.length)
      throw new MalformedMessageError('This is not one public-key session-key packet (cut short).');
    return bytes[i]!;
  };
  const first = at(0);
  if ((first & 0x80) === 0) throw new MalformedMessageError('This is not an OpenPGP packet.');
  let tag: number;
  let offset: number;
  let length: number;
  const uint32 = (i: number) => ((at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3)) >>> 0;
  if (first & 0x40) {
    tag = first & 0x3f;
    const l0 = at(1);
    if (l0 < 192) [length, offset] = [l0, 2];
    else if (l0 < 224) [length, offset] = [((l0 - 192) << 8) + at(2) + 192, 3];
    else if (l0 === 255) [length, offset] = [uint32(2), 6];
    else throw new MalformedMessageError('A session-key packet never has a partial length.');
  } else {
    tag = (first >> 2) & 0x0f;
    const lengthType = first & 0x03;
    if (lengthType === 0) [length, offset] = [at(1), 2];
    else if (lengthType === 1) [length, offset] = [(at(1) << 8) | at(2), 3];
    else if (lengthType === 2) [length, offset] = [uint32(1), 5];
    else throw new MalformedMessageError('A session-key packet never has an indeterminate length.');
  }
  if (tag !== enums.packet.publicKeyEncryptedSessionKey)
    throw new MalformedMessageError('This is not a public-key session-key packet.');
  if (offset + length !== bytes.length)
    throw new MalformedMessageError('This must be exactly one public-key session-key packet, with nothing after it.');
  return bytes.subarray(offset);
}

async function parsePkesk(bytes: Uint8Array): Promise<PkeskFields> {
  const body = pkeskBody(bytes);
  const packet = new PublicKeyEncryptedSessionKeyPacket() as unknown as PkeskFields & { read(b: Uint8Array): void };
  try {
    packet.read(body);
  } catch (cause) {
    throw new MalformedMessageError('This is not a readable public-key session-key packet.', { cause });
  }
  // Written back, the packet must be the bytes given: no field left unread.
  if (!sameBytes(packet.write(), body))
    throw new MalformedMessageError('The session-key packet holds bytes that are not part of it.');
  if (packet.version !== 3)
    throw new MalformedMessageError(`Session-key packets of version ${packet.version} are not used here.`);
  if (packet.publicKeyID.isWildcard())
    throw new MalformedMessageError('The packet hides its recipient (anonymous key ID); it must name the key.');
  return packet;
}

/**
 * Reads bytes that must be exactly one version-3 PKESK packet addressed to a key ID (what a grant
 * posts for each message), and returns that key ID (hex). Anything else — several packets, another
 * packet type, trailing bytes, an anonymous recipient — throws MalformedMessageError. The server
 * cannot tell what the packet wraps; the grantee's browser checks that it decrypts.
 */
export async function readSessionKeyPacket(bytes: Uint8Array): Promise<{ recipientKeyId: string }> {
  const packet = await parsePkesk(bytes);
  return { recipientKeyId: packet.publicKeyID.toHex() };
}

/** Re-wraps one message's session key: from this reader's packet to a packet for each recipient. */
export type SessionKeyRewrapper = (sessionKeyPacket: Uint8Array) => Promise<SessionKeyPacket[]>;

/**
 * Prepares to re-wrap many session keys with one unlocked private key for the same recipients. The
 * keys' self-signatures are checked once here (OpenPGP.js's encryptSessionKey and decryptSessionKeys
 * would check them again for every message), so that a case of a thousand messages takes a thousand
 * small public-key operations and nothing more. Throws InvalidKeyError when a recipient has no
 * usable encryption key or the private key is locked; the rewrapper throws DecryptionError when a
 * packet is not addressed to this private key or does not decrypt with it.
 */
export async function createSessionKeyRewrapper(options: {
  decryptionKey: PrivateKey;
  recipients: PublicKey[];
}): Promise<SessionKeyRewrapper> {
  if (!options.decryptionKey.isDecrypted())
    throw new InvalidKeyError('locked', 'The private key must be unlocked to grant access.');
  const decryptionKeys = new Map<string, unknown>();
  for (const key of await options.decryptionKey.getDecryptionKeys(undefined, null, undefined, messageConfig))
    decryptionKeys.set(key.getKeyID().toHex(), key.keyPacket);
  const targets = await Promise.all(
    options.recipients.map(async (recipient) => {
      const encryptionKey = await recipient
        .getEncryptionKey(undefined, new Date(), undefined, messageConfig)
        .catch((cause: unknown) => {
          throw new InvalidKeyError('no-encryption-subkey', 'A recipient has no usable encryption key.', { cause });
        });
      return { keyId: encryptionKey.getKeyID(), keyPacket: encryptionKey.keyPacket };
    }),
  );

  return async (sessionKeyPacket) => {
    const source = await parsePkesk(sessionKeyPacket);
    const keyPacket = decryptionKeys.get(source.publicKeyID.toHex());
    if (!keyPacket) throw new DecryptionError('This session-key packet is not addressed to the unlocked key.');
    try {
      await source.decrypt(keyPacket);
    } catch (cause) {
      throw new DecryptionError('The session key could not be decrypted with this key.', { cause });
    }
    const out: SessionKeyPacket[] = [];
    for (const target of targets) {
      const wrapped = (PublicKeyEncryptedSessionKeyPacket as unknown as PkeskFactory).fromObject({
        version: 3,
        encryptionKeyPacket: target.keyPacket,
        anonymousRecipient: false,
        sessionKey: source.sessionKey,
        sessionKeyAlgorithm: source.sessionKeyAlgorithm,
      });
      await wrapped.encrypt(target.keyPacket);
      wrapped.sessionKey = null;
      const list = new PacketList<any>();
      list.push(wrapped);
      out.push({ recipientKeyId: target.keyId.toHex(), packet: list.write() });
    }
    source.sessionKey = null;
    return out;
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
