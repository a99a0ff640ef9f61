import {
  AEADEncryptedDataPacket,
  PacketList,
  PublicKeyEncryptedSessionKeyPacket,
  SymEncryptedIntegrityProtectedDataPacket,
  createMessage,
  decrypt,
  encrypt,
  readMessage,
  unarmor,
  armor,
  enums,
  type PrivateKey,
  type PublicKey,
} from 'openpgp';
import { DecryptionError, MalformedMessageError } from './errors';
import { messageConfig } from './openpgp-config';
import { createSessionKeyRewrapper } from './session-key-grant';

/** One session-key packet (PKESK), addressed to the encryption subkey `recipientKeyId`. */
export interface SessionKeyPacket {
  recipientKeyId: string;
  packet: Uint8Array;
}

/**
 * An OpenPGP message stored split (DESIGN §2): the encrypted body once, and one session-key
 * packet per recipient. `packet + body` is, for each recipient, a complete message for `gpg --decrypt`.
 */
export interface SplitMessage {
  body: Uint8Array;
  sessionKeys: SessionKeyPacket[];
}

export interface EncryptOptions {
  /** Text (UTF-8) or bytes (an attachment). */
  data: string | Uint8Array;
  /** Carried inside the encrypted literal packet; gpg can restore it with --use-embedded-filename. */
  filename?: string;
  recipients: PublicKey[];
}

/** Encrypts once to many recipients: one complete binary OpenPGP message (what a browser submits). */
export async function encryptMessage(options: EncryptOptions): Promise<Uint8Array> {
  if (options.recipients.length === 0) throw new TypeError('encryptMessage needs at least one recipient');
  return (await encrypt({
    message: await plaintextMessage(options),
    encryptionKeys: options.recipients,
    format: 'binary',
    config: messageConfig,
  })) as Uint8Array;
}

/** encryptMessage, armored: what a browser sends and gpg reads. */
export async function encryptArmored(options: EncryptOptions): Promise<string> {
  return armorMessage(await encryptMessage(options));
}

/** The literal-data message OpenPGP.js encrypts for these options (text as UTF-8, bytes as binary). */
export function plaintextMessage(options: EncryptOptions) {
  return typeof options.data === 'string'
    ? createMessage({ text: options.data, filename: options.filename, format: 'utf8' })
    : createMessage({ binary: options.data, filename: options.filename, format: 'binary' });
}

/**
 * Encrypts once to many recipients and returns the message split. The plaintext never leaves
 * memory. Splits the packets OpenPGP.js just made, rather than writing and re-reading the message.
 */
export async function encryptSplit(options: EncryptOptions): Promise<SplitMessage> {
  if (options.recipients.length === 0) throw new TypeError('encryptSplit needs at least one recipient');
  const encrypted = await encrypt({
    message: await plaintextMessage(options),
    encryptionKeys: options.recipients,
    format: 'object',
    config: messageConfig,
  });
  const sessionKeys: SessionKeyPacket[] = [];
  let body: Uint8Array | null = null;
  for (const packet of encrypted.packets) {
    if (packet instanceof PublicKeyEncryptedSessionKeyPacket) {
      sessionKeys.push({ recipientKeyId: recipientKeyIdOf(packet).toHex(), packet: await writePackets([packet]) });
    } else {
      body = await writePackets([packet]);
    }
  }
  if (!body) throw new Error('OpenPGP.js made a message without an encrypted body');
  return { body, sessionKeys };
}

/**
 * A binary OpenPGP message as ASCII armor (for JSON and for people), with the CRC line: GnuPG
 * before 2.2.45/2.4.6 cannot read armor without it when the base64 ends unpadded
 * (dev.gnupg.org/T7071). RFC 9580 forbids the CRC only after a v2 (AEAD) body, which we never make.
 */
export function armorMessage(binary: Uint8Array): string {
  return armor(enums.armor.message, binary, undefined, undefined, undefined, true, messageConfig);
}

/**
 * Splits an encrypted OpenPGP message (binary or ASCII-armored), as a browser or `gpg --encrypt`
 * made it. Accepts exactly: one or more PKESK packets addressed to a key ID, then one integrity-
 * protected encrypted body. Anything else (password-encrypted, unprotected, signed-only, garbage)
 * throws MalformedMessageError.
 */
export async function splitMessage(input: Uint8Array | string): Promise<SplitMessage> {
  let packets: PacketList<any>;
  try {
    const message =
      typeof input === 'string'
        ? await readMessage({ armoredMessage: input, config: messageConfig })
        : await readMessage({ binaryMessage: input, config: messageConfig });
    packets = message.packets;
  } catch (cause) {
    throw new MalformedMessageError('This is not an OpenPGP message.', { cause });
  }

  const sessionKeys: SessionKeyPacket[] = [];
  const bodies = new PacketList<any>();
  for (const packet of packets) {
    if (packet instanceof PublicKeyEncryptedSessionKeyPacket) {
      const keyId = recipientKeyIdOf(packet);
      if (keyId.isWildcard()) {
        throw new MalformedMessageError(
          'The message hides its recipients (anonymous key ID); address each recipient by key ID.',
        );
      }
      sessionKeys.push({ recipientKeyId: keyId.toHex(), packet: await writePackets([packet]) });
    } else if (
      packet instanceof SymEncryptedIntegrityProtectedDataPacket ||
      packet instanceof AEADEncryptedDataPacket
    ) {
      bodies.push(packet);
    } else {
      throw new MalformedMessageError(
        'The message holds packets other than public-key session keys and one encrypted body.',
      );
    }
  }
  if (sessionKeys.length === 0) throw new MalformedMessageError('The message is not encrypted to any public key.');
  if (bodies.length !== 1) throw new MalformedMessageError('The message must hold exactly one encrypted body.');
  return { body: await writePackets([...bodies]), sessionKeys };
}

/** One recipient's complete message, armored, ready for `gpg --decrypt`. */
export async function assembleMessage(sessionKeyPacket: Uint8Array, body: Uint8Array): Promise<string> {
  return armorMessage(concat(sessionKeyPacket, body));
}

/** One recipient's complete message as bytes. */
export function assembleBinaryMessage(sessionKeyPacket: Uint8Array, body: Uint8Array): Uint8Array {
  return concat(sessionKeyPacket, body);
}

/**
 * Grants a message to new recipients without touching its body: decrypts the session key with a
 * current reader's private key and encrypts it to each new recipient. Runs where that private key
 * lives (the reader's browser); the server only stores the returned packets. For many messages,
 * createSessionKeyRewrapper checks the keys once for all of them.
 */
export async function rewrapSessionKey(options: {
  sessionKeyPacket: Uint8Array;
  decryptionKey: PrivateKey;
  recipients: PublicKey[];
}): Promise<SessionKeyPacket[]> {
  const rewrap = await createSessionKeyRewrapper(options);
  return rewrap(options.sessionKeyPacket);
}

/** Decrypts one recipient's message with its unlocked private key (browser, tests). */
export async function decryptSplit(options: {
  sessionKeyPacket: Uint8Array;
  body: Uint8Array;
  decryptionKey: PrivateKey;
  binary?: boolean;
}): Promise<{ data: string | Uint8Array; filename: string }> {
  const message = await readMessage({
    binaryMessage: concat(options.sessionKeyPacket, options.body),
    config: messageConfig,
  });
  try {
    const result = await decrypt({
      message,
      decryptionKeys: options.decryptionKey,
      format: options.binary ? 'binary' : 'utf8',
      config: messageConfig,
    });
    return { data: result.data as string | Uint8Array, filename: result.filename };
  } catch (cause) {
    throw new DecryptionError('The message could not be decrypted with this key.', { cause });
  }
}

/** Armored text to bytes, for clients that send armored messages. */
export async function dearmor(armored: string): Promise<Uint8Array> {
  try {
    const { data } = await unarmor(armored, messageConfig);
    return data as Uint8Array;
  } catch (cause) {
    throw new MalformedMessageError('This is not ASCII-armored OpenPGP data.', { cause });
  }
}

/**
 * OpenPGP.js keeps a parsed body's ciphertext as one of its streams even when it read plain bytes,
 * so writing the body yields a stream, not bytes; read it to the end.
 */
async function readAll(written: unknown): Promise<Uint8Array> {
  if (ArrayBuffer.isView(written)) return written as Uint8Array;
  const reader = (written as { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }> } }).getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value!);
  }
  return chunks.reduce(concat, new Uint8Array(0));
}

/** The key ID a PKESK packet is addressed to (OpenPGP.js's typings omit the field). */
function recipientKeyIdOf(packet: PublicKeyEncryptedSessionKeyPacket): { isWildcard(): boolean; toHex(): string } {
  return (packet as unknown as { publicKeyID: { isWildcard(): boolean; toHex(): string } }).publicKeyID;
}

/** Writes packets to bytes (their contents may still be one of OpenPGP.js's streams: see readAll). */
function writePackets(packets: any[]): Promise<Uint8Array> {
  const list = new PacketList<any>();
  list.push(...packets);
  return readAll(list.write());
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
