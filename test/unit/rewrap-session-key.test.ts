import { readKey, type PublicKey } from 'openpgp';
import {
  assembleMessage,
  decryptSplit,
  encryptSplit,
  dearmor,
  rewrapSessionKey,
  type SplitMessage,
} from '../../crypto/split-message';
import { DecryptionError, MalformedMessageError } from '../../crypto/errors';
import { createSessionKeyRewrapper, readSessionKeyPacket } from '../../crypto/session-key-grant';
import { fixtureKey, fixturePrivateKey, type GoodKeyName } from '../helpers/keys';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';

const publicKey = async (name: GoodKeyName) => (await readKey({ armoredKey: fixtureKey(name).publicKey })) as PublicKey;
const encryptionKeyId = async (name: GoodKeyName) =>
  (await (await publicKey(name)).getEncryptionKey()).getKeyID().toHex();
const packetFor = async (split: SplitMessage, name: GoodKeyName) => {
  const keyId = await encryptionKeyId(name);
  return split.sessionKeys.find((k) => k.recipientKeyId === keyId)!.packet;
};

describe('rewrapSessionKey grants a message to a new recipient', () => {
  const text = 'The liaison needs to read this case.';
  let split: SplitMessage;
  let bodyBefore: Buffer;

  beforeAll(async () => {
    split = await encryptSplit({ data: text, recipients: [await publicKey('carol'), await publicKey('dave')] });
    bodyBefore = Buffer.from(split.body);
  });

  test('frank cannot read the message before he is granted it', async () => {
    await expect(
      decryptSplit({
        sessionKeyPacket: await packetFor(split, 'carol'),
        body: split.body,
        decryptionKey: await fixturePrivateKey('frank'),
      }),
    ).rejects.toBeInstanceOf(DecryptionError);
  });

  test("a reader's key makes one packet for the new recipient, and the unchanged body decrypts with it", async () => {
    const granted = await rewrapSessionKey({
      sessionKeyPacket: await packetFor(split, 'carol'),
      decryptionKey: await fixturePrivateKey('carol'),
      recipients: [await publicKey('frank')],
    });
    expect(granted.map((k) => k.recipientKeyId)).toEqual([await encryptionKeyId('frank')]);
    expect(Buffer.from(split.body).equals(bodyBefore)).toBe(true);

    const result = await decryptSplit({
      sessionKeyPacket: granted[0]!.packet,
      body: split.body,
      decryptionKey: await fixturePrivateKey('frank'),
    });
    expect(result.data).toBe(text);
  });

  test('an RSA reader can grant several recipients at once', async () => {
    const granted = await rewrapSessionKey({
      sessionKeyPacket: await packetFor(split, 'dave'),
      decryptionKey: await fixturePrivateKey('dave'),
      recipients: [await publicKey('frank'), await publicKey('bob')],
    });
    expect(granted.map((k) => k.recipientKeyId).sort()).toEqual(
      [await encryptionKeyId('frank'), await encryptionKeyId('bob')].sort(),
    );
    for (const name of ['frank', 'bob'] as const) {
      const result = await decryptSplit({
        sessionKeyPacket: await packetFor({ body: split.body, sessionKeys: granted }, name),
        body: split.body,
        decryptionKey: await fixturePrivateKey(name),
      });
      expect(result.data).toBe(text);
    }
  });

  test('the granted message decrypts with stock gpg', async () => {
    const granted = await rewrapSessionKey({
      sessionKeyPacket: await packetFor(split, 'carol'),
      decryptionKey: await fixturePrivateKey('carol'),
      recipients: [await publicKey('frank')],
    });
    const gpg: GnupgHome = await createGnupgHome();
    try {
      await gpg.importKey(fixtureKey('frank').secretKey);
      expect((await gpg.decrypt(await assembleMessage(granted[0]!.packet, split.body))).toString('utf8')).toBe(text);
    } finally {
      await gpg.destroy();
    }
  });

  test('someone who is not a reader cannot grant access', async () => {
    await expect(
      rewrapSessionKey({
        sessionKeyPacket: await packetFor(split, 'carol'),
        decryptionKey: await fixturePrivateKey('erin'),
        recipients: [await publicKey('erin')],
      }),
    ).rejects.toBeInstanceOf(DecryptionError);
  });
});

describe('readSessionKeyPacket accepts exactly one PKESK addressed to a key', () => {
  let split: SplitMessage;
  beforeAll(async () => {
    split = await encryptSplit({ data: 'x', recipients: [await publicKey('carol'), await publicKey('dave')] });
  });

  test('a packet names its recipient key ID', async () => {
    expect((await readSessionKeyPacket(await packetFor(split, 'dave'))).recipientKeyId).toBe(
      await encryptionKeyId('dave'),
    );
  });

  test('two packets, a body, trailing bytes, garbage and nothing are refused', async () => {
    const [a, b] = split.sessionKeys.map((k) => k.packet);
    const joined = new Uint8Array([...a!, ...b!]);
    for (const bytes of [joined, split.body, new Uint8Array([...a!, 0]), new Uint8Array([1, 2, 3]), new Uint8Array()])
      await expect(readSessionKeyPacket(bytes)).rejects.toBeInstanceOf(MalformedMessageError);
  });
});

describe('createSessionKeyRewrapper re-wraps many messages with keys checked once', () => {
  test('every packet it makes decrypts its own message, with OpenPGP.js and with gpg', async () => {
    const texts = ['first', 'second', 'third'];
    const alicePublic = await publicKey('alice');
    const bobKeyId = await encryptionKeyId('bob');
    const splits = await Promise.all(texts.map((data) => encryptSplit({ data, recipients: [alicePublic] })));
    const rewrap = await createSessionKeyRewrapper({
      decryptionKey: await fixturePrivateKey('alice'),
      recipients: [await publicKey('bob'), await publicKey('frank')],
    });
    const gpg = await createGnupgHome();
    try {
      await gpg.importKey(fixtureKey('bob').secretKey);
      for (const [i, split] of splits.entries()) {
        const granted = await rewrap(split.sessionKeys[0]!.packet);
        const forBob = granted.find((k) => k.recipientKeyId === bobKeyId)!.packet;
        expect((await gpg.decrypt(await assembleMessage(forBob, split.body))).toString('utf8')).toBe(texts[i]);
        const forFrank = granted.find((k) => k.recipientKeyId !== bobKeyId)!.packet;
        const result = await decryptSplit({
          sessionKeyPacket: forFrank,
          body: split.body,
          decryptionKey: await fixturePrivateKey('frank'),
        });
        expect(result.data).toBe(texts[i]);
      }
    } finally {
      await gpg.destroy();
    }
  });

  test('a packet for another key is refused, not re-wrapped', async () => {
    const split = await encryptSplit({ data: 'x', recipients: [await publicKey('carol')] });
    const rewrap = await createSessionKeyRewrapper({
      decryptionKey: await fixturePrivateKey('alice'),
      recipients: [await publicKey('bob')],
    });
    await expect(rewrap(split.sessionKeys[0]!.packet)).rejects.toBeInstanceOf(DecryptionError);
  });
});

test('a packet gpg wrote (old-format header) is read too, and its recipient named', async () => {
  const gpg = await createGnupgHome();
  try {
    await gpg.importKey(fixtureKey('dave').publicKey);
    const armored = await gpg.encrypt('from gpg', [fixtureKey('dave').fingerprint]);
    // The first packet as gpg wrote it, old-format header and all (splitMessage would re-write it).
    const bytes = await dearmor(armored);
    expect(bytes[0]! & 0x40).toBe(0);
    const [length, header] = (bytes[0]! & 0x03) === 0 ? [bytes[1]!, 2] : [(bytes[1]! << 8) | bytes[2]!, 3];
    const packet = bytes.subarray(0, header + length);
    expect((await readSessionKeyPacket(packet)).recipientKeyId).toBe(await encryptionKeyId('dave'));
    // Its length octets changed to claim one byte more: refused.
    const longer = new Uint8Array([...packet, 0]);
    await expect(readSessionKeyPacket(longer)).rejects.toBeInstanceOf(MalformedMessageError);
  } finally {
    await gpg.destroy();
  }
});
