import { createMessage, decrypt, encrypt, readKey, readMessage, sign, type PublicKey } from 'openpgp';
import {
  assembleBinaryMessage,
  assembleMessage,
  decryptSplit,
  encryptSplit,
  splitMessage,
} from '../../crypto/split-message';
import { DecryptionError, MalformedMessageError } from '../../crypto/errors';
import { messageConfig } from '../../crypto/openpgp-config';
import { fixtureKey, fixturePrivateKey, type GoodKeyName } from '../helpers/keys';

const publicKey = async (name: GoodKeyName) => (await readKey({ armoredKey: fixtureKey(name).publicKey })) as PublicKey;
const encryptionKeyId = async (name: GoodKeyName) =>
  (await (await publicKey(name)).getEncryptionKey()).getKeyID().toHex();

async function decryptArmored(armored: string, name: GoodKeyName): Promise<string> {
  const message = await readMessage({ armoredMessage: armored });
  const { data } = await decrypt({ message, decryptionKeys: await fixturePrivateKey(name), config: messageConfig });
  return data as string;
}

describe('encryptSplit and assembleMessage', () => {
  const text = 'Heap overflow in the parser — reproduce with ./poc ✓\n';

  test('stores one body and one session-key packet per recipient, addressed to its encryption subkey', async () => {
    const split = await encryptSplit({ data: text, recipients: [await publicKey('alice'), await publicKey('bob')] });
    expect(split.sessionKeys.map((k) => k.recipientKeyId).sort()).toEqual(
      [await encryptionKeyId('alice'), await encryptionKeyId('bob')].sort(),
    );
    expect(split.body.length).toBeGreaterThan(Buffer.byteLength(text));
    // No plaintext in anything stored.
    expect(Buffer.from(split.body).includes(Buffer.from('overflow'))).toBe(false);
  });

  test("each recipient's assembled message decrypts with that recipient's secret key", async () => {
    const names: GoodKeyName[] = ['alice', 'bob', 'carol'];
    const split = await encryptSplit({ data: text, recipients: await Promise.all(names.map(publicKey)) });
    for (const name of names) {
      const keyId = await encryptionKeyId(name);
      const packet = split.sessionKeys.find((k) => k.recipientKeyId === keyId)!.packet;
      const armored = await assembleMessage(packet, split.body);
      expect(armored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
      expect(await decryptArmored(armored, name)).toBe(text);
    }
  });

  test("a recipient's message holds no packet of another recipient", async () => {
    const split = await encryptSplit({ data: text, recipients: [await publicKey('alice'), await publicKey('bob')] });
    const aliceKeyId = await encryptionKeyId('alice');
    const alicePacket = split.sessionKeys.find((k) => k.recipientKeyId === aliceKeyId)!.packet;
    const message = await readMessage({ binaryMessage: assembleBinaryMessage(alicePacket, split.body) });
    expect(message.getEncryptionKeyIDs().map((id) => id.toHex())).toEqual([aliceKeyId]);
  });

  test('a non-recipient cannot decrypt any of the assembled messages', async () => {
    const split = await encryptSplit({ data: text, recipients: [await publicKey('alice'), await publicKey('bob')] });
    const dave = await fixturePrivateKey('dave');
    for (const { packet } of split.sessionKeys) {
      const message = await readMessage({ binaryMessage: assembleBinaryMessage(packet, split.body) });
      await expect(decrypt({ message, decryptionKeys: dave, config: messageConfig })).rejects.toThrow();
      await expect(
        decryptSplit({ sessionKeyPacket: packet, body: split.body, decryptionKey: dave }),
      ).rejects.toBeInstanceOf(DecryptionError);
    }
  });

  test('binary attachments round-trip byte for byte, with their filename', async () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 37 + 11) % 256);
    const split = await encryptSplit({ data: bytes, filename: 'crash.bin', recipients: [await publicKey('erin')] });
    const [only] = split.sessionKeys;
    const result = await decryptSplit({
      sessionKeyPacket: only!.packet,
      body: split.body,
      decryptionKey: await fixturePrivateKey('erin'),
      binary: true,
    });
    expect(Buffer.from(result.data as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(result.filename).toBe('crash.bin');
  });

  test('needs at least one recipient', async () => {
    await expect(encryptSplit({ data: text, recipients: [] })).rejects.toThrow(TypeError);
  });
});

describe('splitMessage', () => {
  const message = () => createMessage({ text: 'secret' });

  test('splits an armored message from another client the same way as a binary one', async () => {
    const recipients = [await publicKey('alice'), await publicKey('dave')];
    const armored = (await encrypt({
      message: await message(),
      encryptionKeys: recipients,
      config: messageConfig,
    })) as string;
    const fromArmor = await splitMessage(armored);
    const binary = (await readMessage({ armoredMessage: armored })).write();
    const fromBinary = await splitMessage(binary);
    expect(Buffer.from(fromArmor.body).equals(Buffer.from(fromBinary.body))).toBe(true);
    expect(fromArmor.sessionKeys.map((k) => k.recipientKeyId)).toEqual(
      fromBinary.sessionKeys.map((k) => k.recipientKeyId),
    );
    expect(fromArmor.sessionKeys).toHaveLength(2);
  });

  test.each([
    ['random bytes', () => Promise.resolve(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))],
    ['plain text', () => Promise.resolve('not an OpenPGP message')],
    ['an armored public key', () => Promise.resolve(fixtureKey('alice').publicKey)],
  ])('refuses %s', async (_what, input) => {
    await expect(splitMessage(await input())).rejects.toBeInstanceOf(MalformedMessageError);
  });

  test('refuses a password-only (SKESK) message', async () => {
    const armored = (await encrypt({
      message: await message(),
      passwords: ['hunter2'],
      config: messageConfig,
    })) as string;
    await expect(splitMessage(armored)).rejects.toBeInstanceOf(MalformedMessageError);
  });

  test('refuses a message that a password opens besides the public keys', async () => {
    const armored = (await encrypt({
      message: await message(),
      encryptionKeys: await publicKey('alice'),
      passwords: ['hunter2'],
      config: messageConfig,
    })) as string;
    await expect(splitMessage(armored)).rejects.toThrow(/other than public-key session keys/);
  });

  test('refuses a message whose recipients are hidden (wildcard key ID)', async () => {
    const armored = (await encrypt({
      message: await message(),
      encryptionKeys: await publicKey('alice'),
      wildcard: true,
      config: messageConfig,
    })) as string;
    await expect(splitMessage(armored)).rejects.toThrow(/anonymous key ID/);
  });

  test('refuses a signed message that is not encrypted', async () => {
    const armored = await sign({
      message: await message(),
      signingKeys: await fixturePrivateKey('alice'),
      config: messageConfig,
    });
    await expect(splitMessage(armored)).rejects.toBeInstanceOf(MalformedMessageError);
  });

  test('refuses a session-key packet without a body', async () => {
    const split = await encryptSplit({ data: 'x', recipients: [await publicKey('alice')] });
    await expect(splitMessage(split.sessionKeys[0]!.packet)).rejects.toThrow(/exactly one encrypted body/);
  });
});
