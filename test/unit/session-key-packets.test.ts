// The session-key packets encryptSplit makes natively (crypto/session-key-packets.ts): messages to 1, 5
// and 20 recipients of mixed algorithms decrypt with stock gpg and with OpenPGP.js, each packet is
// well-formed as both read it, and a key that is not the recipient's does not open it.
import {
  PublicKeyEncryptedSessionKeyPacket,
  encrypt,
  createMessage,
  enums,
  generateKey,
  readKey,
  readMessage,
  type PrivateKey,
  type PublicKey,
} from 'openpgp';
import { webcrypto } from 'node:crypto';
import { DecryptionError } from '../../crypto/errors';
import { messageConfig } from '../../crypto/openpgp-config';
import { encryptSplitNatively as encryptSplit } from '../../crypto/native-split';
import { assembleBinaryMessage, decryptSplit, type SplitMessage } from '../../crypto/split-message';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey, fixturePrivateKey, type GoodKeyName } from '../helpers/keys';

interface Recipient {
  name: string;
  publicKey: PublicKey;
  privateKey: PrivateKey;
  /** GnuPG 2.2 reads v4 legacy Curve25519 and RSA keys, not RFC 9580's X25519 (algorithm 25). */
  gpgReads: boolean;
  algorithm: enums.publicKey;
}

const FIXTURES: GoodKeyName[] = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'];
const text = 'Use-after-free in the session cache — reproduce with ./poc --twice ✓\n'.repeat(40);

let gpg: GnupgHome;
let recipients: Recipient[];
let outsider: PrivateKey;

async function generated(name: string, curve: 'curve25519Legacy' | 'curve25519'): Promise<Recipient> {
  const { privateKey } = await generateKey({
    // 'curve25519' is RFC 9580's Ed25519 + X25519 (algorithm 25), here in a v4 key.
    ...(curve === 'curve25519' ? { type: 'curve25519' as const } : { type: 'ecc' as const, curve }),
    userIDs: [{ name }],
    format: 'object',
    config: { ...messageConfig, v6Keys: false },
  });
  const publicKey = privateKey.toPublic();
  const algorithm = (await publicKey.getEncryptionKey()).keyPacket.algorithm;
  return { name, publicKey, privateKey, gpgReads: curve === 'curve25519Legacy', algorithm };
}

beforeAll(async () => {
  gpg = await createGnupgHome();
  recipients = [];
  for (const name of FIXTURES) {
    const publicKey = (await readKey({ armoredKey: fixtureKey(name).publicKey })) as PublicKey;
    await gpg.importKey(fixtureKey(name).secretKey);
    const algorithm = (await publicKey.getEncryptionKey()).keyPacket.algorithm;
    recipients.push({ name, publicKey, privateKey: await fixturePrivateKey(name), gpgReads: true, algorithm });
  }
  for (let i = 0; i < 10; i++) recipients.push(await generated(`legacy ${i}`, 'curve25519Legacy'));
  for (let i = 0; i < 3; i++) recipients.push(await generated(`x25519 ${i}`, 'curve25519'));
  for (const r of recipients.slice(FIXTURES.length).filter((r) => r.gpgReads))
    await gpg.importKey(r.privateKey.armor(messageConfig));
  outsider = (await generated('outsider', 'curve25519Legacy')).privateKey;
}, 60_000);

afterAll(async () => {
  await gpg.destroy();
});

const keyIdOf = async (r: Recipient) => (await r.publicKey.getEncryptionKey()).getKeyID().toHex();

async function packetFor(split: SplitMessage, r: Recipient): Promise<Uint8Array> {
  const keyId = await keyIdOf(r);
  const found = split.sessionKeys.filter((k) => k.recipientKeyId === keyId);
  expect(found).toHaveLength(1);
  return found[0]!.packet;
}

describe.each([
  ['1 recipient (Curve25519)', () => recipients.slice(0, 1)],
  ['5 recipients (Curve25519 and RSA-3072)', () => recipients.slice(0, 5)],
  ['20 recipients (Curve25519 legacy, X25519 and RSA-3072)', () => recipients],
])('a message to %s', (_what, chosen) => {
  let split: SplitMessage;
  beforeAll(async () => {
    split = await encryptSplit({ data: text, recipients: chosen().map((r) => r.publicKey) });
  });

  test('has one packet per recipient, and each recipient decrypts it with OpenPGP.js', async () => {
    expect(split.sessionKeys).toHaveLength(chosen().length);
    for (const r of chosen()) {
      const result = await decryptSplit({
        sessionKeyPacket: await packetFor(split, r),
        body: split.body,
        decryptionKey: r.privateKey,
      });
      expect(result.data).toBe(text);
    }
  });

  test('decrypts with stock gpg for every recipient gpg can hold', async () => {
    const readable = chosen().filter((r) => r.gpgReads);
    expect(readable.length).toBeGreaterThan(0);
    for (const r of readable) {
      const plaintext = await gpg.decrypt(assembleBinaryMessage(await packetFor(split, r), split.body));
      expect(plaintext.toString('utf8')).toBe(text);
    }
  });

  test('all the packets gpg can use, with the body, make one message gpg decrypts', async () => {
    const readable = new Set(
      await Promise.all(
        chosen()
          .filter((r) => r.gpgReads)
          .map(keyIdOf),
      ),
    );
    const packets = split.sessionKeys.filter((k) => readable.has(k.recipientKeyId)).map((k) => k.packet);
    expect(packets.length).toBe(readable.size);
    expect((await gpg.decrypt(Buffer.concat([...packets, split.body]))).toString('utf8')).toBe(text);
  });

  test('each packet is a well-formed v3 PKESK: OpenPGP.js writes back the same bytes, gpg lists it', async () => {
    for (const r of chosen()) {
      const packet = await packetFor(split, r);
      const message = await readMessage({ binaryMessage: packet, config: messageConfig });
      const [parsed] = message.packets.filterByTag(enums.packet.publicKeyEncryptedSessionKey);
      const fields = parsed as unknown as { version: number; publicKeyAlgorithm: number; write(): Uint8Array };
      expect(fields.version).toBe(3);
      expect(fields.publicKeyAlgorithm).toBe(r.algorithm);
      expect(message.packets).toHaveLength(1);
      // The header this packet was written with, then what OpenPGP.js writes back from the parsed fields.
      expect(Buffer.from(packet.subarray(packet.length - fields.write().length))).toEqual(Buffer.from(fields.write()));
      expect(packet[0]).toBe(0xc0 | enums.packet.publicKeyEncryptedSessionKey);
      if (!r.gpgReads) continue;
      const listing = await gpg.listPackets(assembleBinaryMessage(packet, split.body));
      const keyId = (await keyIdOf(r)).toUpperCase();
      expect(listing).toContain(`:pubkey enc packet: version 3, algo ${r.algorithm}, keyid ${keyId}`);
      expect(listing).toMatch(/:literal data packet:/);
    }
  });

  test('a key that is not a recipient opens none of the packets', async () => {
    for (const { packet } of split.sessionKeys) {
      await expect(
        decryptSplit({ sessionKeyPacket: packet, body: split.body, decryptionKey: outsider }),
      ).rejects.toBeInstanceOf(DecryptionError);
    }
  });
});

test("one recipient's packet does not open with another recipient's key", async () => {
  const [alice, bob, carol] = recipients;
  const split = await encryptSplit({ data: text, recipients: [alice!.publicKey, bob!.publicKey] });
  const alicePacket = await packetFor(split, alice!);
  await expect(
    decryptSplit({ sessionKeyPacket: alicePacket, body: split.body, decryptionKey: carol!.privateKey }),
  ).rejects.toBeInstanceOf(DecryptionError);
  // Only alice's key is in this home: gpg must fail on bob's packet.
  const aliceOnly = await createGnupgHome();
  try {
    await aliceOnly.importKey(fixtureKey('alice').secretKey);
    expect((await aliceOnly.tryDecrypt(assembleBinaryMessage(alicePacket, split.body))).code).toBe(0);
    const bobPacket = await packetFor(split, bob!);
    expect((await aliceOnly.tryDecrypt(assembleBinaryMessage(bobPacket, split.body))).code).not.toBe(0);
  } finally {
    await aliceOnly.destroy();
  }
});

test('a packet whose wrapped key was altered does not decrypt', async () => {
  for (const r of [recipients[0]!, recipients[FIXTURES.length + 10]!]) {
    const split = await encryptSplit({ data: text, recipients: [r.publicKey] });
    const packet = Uint8Array.from(split.sessionKeys[0]!.packet);
    packet[packet.length - 3]! ^= 0x01;
    await expect(
      decryptSplit({ sessionKeyPacket: packet, body: split.body, decryptionKey: r.privateKey }),
    ).rejects.toBeInstanceOf(DecryptionError);
  }
});

test('packets for legacy Curve25519 keys have the size OpenPGP.js gives them', async () => {
  const r = recipients[0]!;
  const ours = (await encryptSplit({ data: text, recipients: [r.publicKey] })).sessionKeys[0]!.packet;
  const theirs = (
    await readMessage({
      binaryMessage: (await encrypt({
        message: await createMessage({ text }),
        encryptionKeys: r.publicKey,
        format: 'binary',
        config: messageConfig,
      })) as Uint8Array,
    })
  ).packets.filterByTag(enums.packet.publicKeyEncryptedSessionKey)[0] as PublicKeyEncryptedSessionKeyPacket;
  expect(ours.length - 2).toBe(theirs.write().length);
});

test('a key that expires is refused once it has expired, even though its checks were reused before', async () => {
  const { privateKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Short-lived' }],
    date: new Date(Date.now() - 1000),
    keyExpirationTime: 2,
    format: 'object',
    config: messageConfig,
  });
  const key = privateKey.toPublic();
  await expect(encryptSplit({ data: text, recipients: [key] })).resolves.toBeDefined();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await expect(encryptSplit({ data: text, recipients: [key] })).rejects.toThrow();
});

test("a recipient key's signatures are checked once, not again for every message to it", async () => {
  const keys = recipients.slice(0, 5).map((r) => r.publicKey);
  await encryptSplit({ data: text, recipients: keys });
  const subtle = webcrypto.subtle as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const verify = subtle.verify!;
  let verified = 0;
  subtle.verify = (...args) => {
    verified += 1;
    return verify.apply(webcrypto.subtle, args);
  };
  try {
    for (let i = 0; i < 3; i++) await encryptSplit({ data: text, recipients: keys });
  } finally {
    subtle.verify = verify;
  }
  expect(verified).toBe(0);
});
