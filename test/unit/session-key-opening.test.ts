// The intake opens the session-key packet of mail to its own Curve25519 key natively
// (openSessionKeyNatively in crypto/session-key-packets.ts): it must find the session key OpenPGP.js
// finds, for mail from gpg and from OpenPGP.js, and give way to OpenPGP.js (null) for anything else —
// another key, another algorithm, a hidden recipient, a packet altered or pointing at a low-order point.
import {
  PublicKeyEncryptedSessionKeyPacket,
  createMessage,
  decryptSessionKeys,
  encrypt,
  readMessage,
  type Message,
  type PrivateKey,
} from 'openpgp';
import { DecryptionError } from '../../crypto/errors';
import { generateIntakeKey, unlockIntakeKey } from '../../crypto/intake-key';
import { decryptForIntake } from '../../crypto/intake-decrypt';
import { messageConfig } from '../../crypto/openpgp-config';
import { openSessionKeyNatively } from '../../crypto/session-key-packets';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey, fixturePrivateKey, testArgon2Cost } from '../helpers/keys';
import { runOrThrow } from '../helpers/run-process';

const PASSPHRASE = 'correct horse battery staple';
let gpg: GnupgHome;
let intake: { fingerprint: string; publicKey: string; key: PrivateKey };

beforeAll(async () => {
  gpg = await createGnupgHome();
  const made = await generateIntakeKey({
    identities: [{ name: 'Security reports', email: 'security@example.org' }],
    passphrase: PASSPHRASE,
    cost: testArgon2Cost,
  });
  intake = { ...made, key: await unlockIntakeKey(made.lockedPrivateKey, PASSPHRASE) };
  await gpg.importKey(made.publicKey);
});
afterAll(() => gpg?.destroy());

const pkesks = (message: Message<Uint8Array | string>) =>
  [...message.packets].filter(
    (p): p is PublicKeyEncryptedSessionKeyPacket => p instanceof PublicKeyEncryptedSessionKeyPacket,
  );

/** gpg's binary output: the bytes, to alter, and the message read from them. */
async function fromGpg(
  text: string,
  extra: string[] = [],
): Promise<{ bytes: Uint8Array; message: Message<Uint8Array> }> {
  const bytes = new Uint8Array(
    await runOrThrow(
      'gpg',
      ['--batch', '--homedir', gpg.home, '--trust-model', 'always', ...extra, '--encrypt', '-r', intake.fingerprint],
      { input: text },
    ),
  );
  return { bytes, message: await readMessage({ binaryMessage: bytes }) };
}

async function fromOpenpgp(text: string): Promise<Message<string>> {
  const armored = await encrypt({
    message: await createMessage({ text }),
    encryptionKeys: intake.key.toPublic(),
    config: messageConfig,
  });
  return readMessage({ armoredMessage: armored as string });
}

test.each([
  ['gpg', async () => (await fromGpg('from gpg')).message],
  ['OpenPGP.js', () => fromOpenpgp('from OpenPGP.js')],
])('mail from %s: the session key opened natively is the one OpenPGP.js opens', async (_name, make) => {
  const message = await make();
  const [packet] = pkesks(message);
  const native = openSessionKeyNatively(packet!, intake.key);
  const [expected] = await decryptSessionKeys({ message, decryptionKeys: intake.key, config: messageConfig });
  expect(native).not.toBeNull();
  expect(native!.algorithm).toBe(expected!.algorithm);
  expect(Buffer.from(native!.data).equals(Buffer.from(expected!.data))).toBe(true);
});

test('a packet to another key, to an RSA key, or to a hidden recipient is left to OpenPGP.js', async () => {
  // To the intake key and to an RSA key: the RSA packet is not opened natively, with either key.
  await gpg.importKey(fixtureKey('bob').publicKey);
  const bob = await fixturePrivateKey('bob'); // RSA-3072
  const both = await readMessage({
    armoredMessage: (
      await runOrThrow(
        'gpg',
        [
          '--batch',
          '--homedir',
          gpg.home,
          '--trust-model',
          'always',
          '--armor',
          '--encrypt',
          '-r',
          intake.fingerprint,
          '-r',
          fixtureKey('bob').fingerprint,
        ],
        { input: 'two recipients' },
      )
    ).toString('utf8'),
  });
  const packets = pkesks(both);
  expect(packets).toHaveLength(2);
  const opened = packets.map((p) => openSessionKeyNatively(p, intake.key));
  expect(opened.filter((k) => k !== null)).toHaveLength(1);
  // Bob's RSA packet is OpenPGP.js's to open, and the intake's packet is not for Bob.
  expect(packets.map((p) => openSessionKeyNatively(p, bob))).toEqual([null, null]);
  const [expected] = await decryptSessionKeys({ message: both, decryptionKeys: bob, config: messageConfig });
  expect(expected).toBeDefined();

  const hidden = await fromGpg('hidden', ['--throw-keyids']);
  expect(openSessionKeyNatively(pkesks(hidden.message)[0]!, intake.key)).toBeNull();
  // decryptForIntake still opens it, through OpenPGP.js.
  expect(Buffer.from((await decryptForIntake({ message: hidden.bytes, keys: [intake.key] })).data).toString()).toBe(
    'hidden',
  );
});

test('an altered wrapped key or a low-order ephemeral point opens nothing, and decryptForIntake refuses as before', async () => {
  // A PKESK v3 to an ECDH key: version, key ID (8), algorithm, then the point's MPI (2 + 33), then the
  // wrapped key's length and the wrapped key. The packet's header is two octets here.
  const POINT_AT = 2 + 1 + 8 + 1 + 2 + 1;
  const WRAPPED_AT = POINT_AT + 32 + 1;
  for (const alter of [
    (bytes: Uint8Array) => {
      bytes[WRAPPED_AT + 3] = bytes[WRAPPED_AT + 3]! ^ 0x40;
    },
    (bytes: Uint8Array) => {
      bytes.fill(0, POINT_AT, POINT_AT + 32); // the point 0: of low order
    },
  ]) {
    const { bytes } = await fromGpg('to be altered');
    expect(bytes[0]).toBe(0x84 + 0 /* old-format tag 1, one-octet length */);
    alter(bytes);
    const [packet] = pkesks(await readMessage({ binaryMessage: bytes }));
    expect(openSessionKeyNatively(packet!, intake.key)).toBeNull();
    await expect(decryptForIntake({ message: bytes, keys: [intake.key] })).rejects.toBeInstanceOf(DecryptionError);
  }
});

test('a message whose body was altered is refused, though its session key opens natively', async () => {
  const { bytes, message } = await fromGpg('x'.repeat(2000));
  expect(openSessionKeyNatively(pkesks(message)[0]!, intake.key)).not.toBeNull();
  bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0x01;
  await expect(decryptForIntake({ message: bytes, keys: [intake.key] })).rejects.toBeInstanceOf(DecryptionError);
});
