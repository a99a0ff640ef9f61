// Regression: GnuPG before 2.2.45/2.4.6 cannot read armor without a CRC line when the base64 ends
// unpadded (dev.gnupg.org/T7071), i.e. for one message length in three. Every stored message must
// decrypt with stock gpg, whatever its length.
import { readKey, type PublicKey } from 'openpgp';
import {
  armorMessage,
  assembleBinaryMessage,
  assembleMessage,
  dearmor,
  encryptSplit,
} from '../../crypto/split-message';
import { fixtureKey } from '../helpers/keys';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';

let gpg: GnupgHome;
let carol: PublicKey;

beforeAll(async () => {
  gpg = await createGnupgHome();
  await gpg.importKey(fixtureKey('carol').secretKey);
  carol = (await readKey({ armoredKey: fixtureKey('carol').publicKey })) as PublicKey;
});

afterAll(async () => {
  await gpg.destroy();
});

test('assembled messages of every length modulo 3 decrypt with gpg', async () => {
  const residues = new Set<number>();
  for (const text of ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef']) {
    const split = await encryptSplit({ data: text, recipients: [carol] });
    const packet = split.sessionKeys[0]!.packet;
    residues.add(assembleBinaryMessage(packet, split.body).length % 3);
    expect((await gpg.decrypt(await assembleMessage(packet, split.body))).toString('utf8')).toBe(text);
  }
  // The loop is only a regression test if it met the unpadded case (length ≡ 0 mod 3).
  expect(residues.has(0)).toBe(true);
});

test('armorMessage writes the CRC line and OpenPGP.js reads it back unchanged', async () => {
  const split = await encryptSplit({ data: 'checksum', recipients: [carol] });
  const binary = assembleBinaryMessage(split.sessionKeys[0]!.packet, split.body);
  const armored = armorMessage(binary);
  expect(armored).toMatch(/\n=[A-Za-z0-9+/]{4}\n-----END PGP MESSAGE-----\n$/);
  expect(Buffer.from(await dearmor(armored)).equals(Buffer.from(binary))).toBe(true);
});
