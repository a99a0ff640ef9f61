// Server-side encryption for the no-JavaScript path and the e-mail intake: encryptSplit with the
// session-key packets made natively (./session-key-packets.ts). Node only: the browser bundles use
// ./split-message.ts, which must not import node:crypto.
import { encrypt } from 'openpgp';
import { messageConfig } from './openpgp-config';
import { encryptionTargets, sessionKeyFor, sessionKeyPacket } from './session-key-packets';
import { encryptSplit, plaintextMessage, type EncryptOptions, type SplitMessage } from './split-message';

/**
 * encryptSplit's result, made faster: OpenPGP.js encrypts the body once under a session key chosen
 * as it would choose it, and each recipient's packet is made natively where its algorithm allows.
 * Falls back to encryptSplit where OpenPGP.js would make an AEAD (SEIPD v2) message.
 */
export async function encryptSplitNatively(options: EncryptOptions): Promise<SplitMessage> {
  if (options.recipients.length === 0) throw new TypeError('encryptSplit needs at least one recipient');
  const targets = await encryptionTargets(options.recipients);
  const sessionKey = sessionKeyFor(targets);
  if (!sessionKey) return encryptSplit(options);
  // With a session key and no keys, OpenPGP.js writes the encrypted body alone.
  const body = (await encrypt({
    message: await plaintextMessage(options),
    sessionKey,
    format: 'binary',
    config: messageConfig,
  })) as Uint8Array;
  const packets = await Promise.all(targets.map((target) => sessionKeyPacket(target, sessionKey)));
  return {
    body,
    sessionKeys: targets.map((target, i) => ({
      recipientKeyId: Buffer.from(target.keyId).toString('hex'),
      packet: packets[i]!,
    })),
  };
}
