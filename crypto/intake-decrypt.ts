import {
  PublicKeyEncryptedSessionKeyPacket,
  SymEncryptedSessionKeyPacket,
  decrypt,
  readMessage,
  type Message,
  type PrivateKey,
} from 'openpgp';
import { DecryptionError, MalformedMessageError } from './errors';
import { messageConfig } from './openpgp-config';
import { openSessionKeyNatively } from './session-key-packets';

/**
 * The message is encrypted, but not to any intake key we hold (an old or wrong key, or a password).
 * `recipientKeyIds` lets the sender's postmaster see which key they used.
 */
export class NotForIntakeKeyError extends Error {
  constructor(
    readonly recipientKeyIds: string[],
    message: string,
  ) {
    super(message);
    this.name = 'NotForIntakeKeyError';
  }
}

/** A well-formed OpenPGP message that is not encrypted (signed only, or a literal): nothing to decrypt. */
export class NotEncryptedMessageError extends MalformedMessageError {
  constructor() {
    super('The OpenPGP block is not an encrypted message.');
    this.name = 'NotEncryptedMessageError';
  }
}

export interface IntakeDecryption {
  data: Uint8Array;
  /** The name carried in the literal packet (inline-PGP attachments), or ''. */
  filename: string;
  /** Fingerprint of the intake key that decrypted it. */
  decryptedWith: string;
}

/**
 * Decrypts a message sent to the intake address, in memory, with one of the intake keys (the
 * current one, or one retired within its grace period). Integrity protection is required (an
 * unprotected, EFAIL-prone message is refused as malformed). Throws NotForIntakeKeyError when no
 * key of ours is addressed, MalformedMessageError when the bytes are not a complete OpenPGP
 * message, DecryptionError when a key of ours is addressed but decryption fails (damaged,
 * truncated). Nothing is written anywhere; the caller owns the plaintext.
 */
export async function decryptForIntake(options: {
  message: Uint8Array | string;
  keys: readonly PrivateKey[];
}): Promise<IntakeDecryption> {
  let message: Message<Uint8Array>;
  try {
    message =
      typeof options.message === 'string'
        ? ((await readMessage({ armoredMessage: options.message, config: messageConfig })) as Message<any>)
        : await readMessage({ binaryMessage: options.message, config: messageConfig });
  } catch (cause) {
    throw new MalformedMessageError('The OpenPGP block is damaged or truncated and could not be read.', { cause });
  }

  const addressed: string[] = [];
  let wildcard = false;
  let password = false;
  for (const packet of message.packets) {
    if (packet instanceof PublicKeyEncryptedSessionKeyPacket) {
      const id = (packet as unknown as { publicKeyID: { isWildcard(): boolean; toHex(): string } }).publicKeyID;
      if (id.isWildcard()) wildcard = true;
      else addressed.push(id.toHex().toUpperCase());
    } else if (packet instanceof SymEncryptedSessionKeyPacket) {
      password = true;
    }
  }
  if (addressed.length === 0 && !wildcard) {
    if (password)
      throw new NotForIntakeKeyError([], 'The message is encrypted with a password, not to our intake key.');
    throw new NotEncryptedMessageError();
  }

  const candidates = options.keys.filter((key) =>
    key.getKeyIDs().some((id) => addressed.includes(id.toHex().toUpperCase())),
  );
  if (candidates.length === 0 && !wildcard) {
    throw new NotForIntakeKeyError(
      addressed,
      `The message is encrypted to key ID ${addressed.join(', ')}, which is not our intake key.`,
    );
  }

  // Usually exactly one key is addressed; with hidden recipients every key of ours is tried.
  const tryKeys = candidates.length > 0 ? candidates : [...options.keys];
  let failure: unknown;
  for (const key of tryKeys) {
    try {
      const result =
        (await decryptWithNativeSessionKey(message, key)) ??
        (await decrypt({ message, decryptionKeys: key, format: 'binary', config: messageConfig }));
      return {
        data: result.data as Uint8Array,
        filename: result.filename ?? '',
        decryptedWith: key.getFingerprint().toUpperCase(),
      };
    } catch (cause) {
      failure = cause;
    }
  }
  if (candidates.length === 0) {
    throw new NotForIntakeKeyError([], 'The message hides its recipients and none of our intake keys can decrypt it.');
  }
  throw new DecryptionError(
    'The message is addressed to our intake key but could not be decrypted (damaged or truncated).',
    { cause: failure },
  );
}

/**
 * The message decrypted with a session key opened natively from a packet to `key`; null when no
 * packet opens that way or the body does not decrypt with it (OpenPGP.js then tries with the key).
 */
async function decryptWithNativeSessionKey(message: Message<Uint8Array>, key: PrivateKey) {
  for (const packet of message.packets) {
    if (!(packet instanceof PublicKeyEncryptedSessionKeyPacket)) continue;
    const sessionKey = openSessionKeyNatively(packet, key);
    if (!sessionKey) continue;
    return decrypt({ message, sessionKeys: sessionKey, format: 'binary', config: messageConfig }).catch(() => null);
  }
  return null;
}
