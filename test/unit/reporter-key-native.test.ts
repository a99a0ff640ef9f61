// The reporter key made natively for the server's own paths must be the key OpenPGP.js makes for
// them (createReporterKey(receipt, 'fast')): the same packets and subpackets, signatures that
// OpenPGP.js and GnuPG both verify, a secret half the receipt unlocks and nothing else does, and a
// recipient that messages from gpg and from our native encryption reach.
import { createMessage, decrypt, encrypt, readKey, readMessage, readPrivateKey, type PublicKey } from 'openpgp';
import { checkReporterKey, createReporterKey, unlockReporterKey } from '../../crypto/reporter-key';
import { createFastReporterKeyNatively } from '../../crypto/reporter-key-native';
import { DecryptionError } from '../../crypto/errors';
import { generateReceipt } from '../../crypto/receipt';
import { encryptSplitNatively } from '../../crypto/native-split';
import { messageConfig } from '../../crypto/openpgp-config';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { runOrThrow } from '../helpers/run-process';

let gnupg: GnupgHome;
beforeAll(async () => {
  gnupg = await createGnupgHome();
});
afterAll(async () => {
  await gnupg?.destroy();
});

/** Each packet's tag and, for signatures, its type and hashed subpacket types: the key's shape. */
async function shapeOf(armoredKey: string): Promise<string[]> {
  const key = await readKey({ armoredKey });
  return key.toPacketList().map((packet) => {
    const p = packet as unknown as {
      constructor: { tag: number };
      signatureType?: number;
      hashAlgorithm?: number;
      rawNotations?: { name: string; critical: boolean }[];
      keyFlags?: number[];
      preferredSymmetricAlgorithms?: number[];
      preferredHashAlgorithms?: number[];
      features?: number[];
      algorithm?: number;
      unhashedSubpackets?: unknown[];
    };
    if (p.signatureType === undefined) return `${p.constructor.tag}/${p.algorithm ?? ''}`;
    return JSON.stringify([
      p.constructor.tag,
      p.signatureType,
      p.hashAlgorithm,
      p.keyFlags,
      p.preferredSymmetricAlgorithms,
      p.preferredHashAlgorithms,
      p.features,
      p.rawNotations?.map((n) => [n.name, n.critical]),
      p.unhashedSubpackets?.length,
    ]);
  });
}

test('it has the packets, algorithms and self-signature subpackets of the key OpenPGP.js makes', async () => {
  const receipt = generateReceipt();
  const native = await createFastReporterKeyNatively(receipt);
  const reference = await createReporterKey(receipt, 'fast');
  expect(await shapeOf(native.publicKey)).toEqual(await shapeOf(reference.publicKey));
  // The secret halves are locked the same way: S2K usage 253 (AEAD), AES-256, GCM, iterated SHA-256.
  const lockOf = async (armoredKey: string) => {
    const key = await readPrivateKey({ armoredKey });
    return [key.keyPacket, ...key.subkeys.map((s) => s.keyPacket)].map((packet) => {
      const p = packet as unknown as {
        s2kUsage: number;
        symmetric: number;
        aead: number;
        s2k: { type: string; algorithm: number; c: number };
      };
      return [p.s2kUsage, p.symmetric, p.aead, p.s2k.type, p.s2k.algorithm, p.s2k.c];
    });
  };
  expect(await lockOf(native.lockedPrivateKey)).toEqual(await lockOf(reference.lockedPrivateKey));
  expect(native.lockedPrivateKey).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
});

test('OpenPGP.js verifies its signatures and takes it as a reporter key; every key is new', async () => {
  const first = await createFastReporterKeyNatively(generateReceipt());
  const second = await createFastReporterKeyNatively(generateReceipt());
  expect(first.fingerprint).not.toBe(second.fingerprint);
  const key = await readKey({ armoredKey: first.publicKey });
  await expect(key.verifyPrimaryKey()).resolves.toBeUndefined();
  const subkey = await key.getEncryptionKey();
  expect(subkey.getKeyID().toHex()).not.toBe(key.getKeyID().toHex());
  expect(key.getFingerprint().toUpperCase()).toBe(first.fingerprint);
  const checked = await checkReporterKey(first.publicKey, first.lockedPrivateKey);
  expect(checked.fingerprint).toBe(first.fingerprint);
  expect([...checked.keyIds].sort()).toEqual([key.getKeyID().toHex(), subkey.getKeyID().toHex()].sort());
});

test('a changed signature is refused by OpenPGP.js', async () => {
  const made = await createFastReporterKeyNatively(generateReceipt());
  const key = await readKey({ armoredKey: made.publicKey });
  const bytes = key.write();
  // The last octet is the end of the subkey binding's s; flipping it breaks that signature.
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  const broken = await readKey({ binaryKey: bytes });
  await expect(broken.getEncryptionKey()).rejects.toThrow();
});

test('the receipt unlocks the secret half, which matches the public one; another receipt does not', async () => {
  const receipt = generateReceipt();
  const made = await createFastReporterKeyNatively(receipt);
  const unlocked = await unlockReporterKey(made.lockedPrivateKey, receipt);
  expect(unlocked.isDecrypted()).toBe(true);
  // validate() is at run time what OpenPGP.js's typings leave out: the secret matches the public half.
  await expect((unlocked as unknown as { validate(): Promise<void> }).validate()).resolves.toBeUndefined();
  // The receipt as a reporter types it: lower case and without dashes still unlocks.
  await expect(
    unlockReporterKey(made.lockedPrivateKey, receipt.toLowerCase().replace(/-/g, '')),
  ).resolves.toBeDefined();
  await expect(unlockReporterKey(made.lockedPrivateKey, generateReceipt())).rejects.toBeInstanceOf(DecryptionError);
});

test('the locked half binds its public part: a swapped public key in it does not unlock', async () => {
  const receipt = generateReceipt();
  const made = await createFastReporterKeyNatively(receipt);
  const other = await createFastReporterKeyNatively(receipt);
  const mine = await readPrivateKey({ armoredKey: made.lockedPrivateKey });
  const theirs = await readPrivateKey({ armoredKey: other.lockedPrivateKey });
  // Their primary public point with my locked secret: the AEAD's associated data no longer matches.
  const packet = mine.keyPacket as unknown as { publicParams: { Q: Uint8Array } };
  packet.publicParams.Q = (theirs.keyPacket as unknown as { publicParams: { Q: Uint8Array } }).publicParams.Q;
  const swapped = await readPrivateKey({ binaryKey: mine.write() });
  await expect(unlockReporterKey(swapped.armor(), receipt)).rejects.toBeInstanceOf(DecryptionError);
});

test('GnuPG imports it, finds its signatures good, and encrypts to it; the receipt opens what gpg sent', async () => {
  const receipt = generateReceipt();
  const made = await createFastReporterKeyNatively(receipt);
  await gnupg.importKey(made.publicKey);
  const sigs = (
    await runOrThrow('gpg', ['--batch', '--homedir', gnupg.home, '--with-colons', '--check-sigs', made.fingerprint])
  ).toString('utf8');
  // Two self-signatures (the user ID's and the subkey's binding), each marked good ('!').
  expect(sigs.split('\n').filter((line) => line.startsWith('sig:!:'))).toHaveLength(2);
  expect(sigs).toMatch(/^uid:.*:Reporter:/m);
  expect(sigs).toMatch(/^sub:-:255:18:/m);

  const sent = await gnupg.encrypt('from a mail client', [made.fingerprint]);
  const decryptionKeys = await unlockReporterKey(made.lockedPrivateKey, receipt);
  const { data } = await decrypt({ message: await readMessage({ armoredMessage: sent }), decryptionKeys });
  expect(data).toBe('from a mail client');
});

test('the server encrypts to it natively, and OpenPGP.js and a key made by OpenPGP.js read alongside', async () => {
  const receipt = generateReceipt();
  const made = await createFastReporterKeyNatively(receipt);
  const reference = await createReporterKey(generateReceipt(), 'fast');
  const recipients: PublicKey[] = [made.parsedPublicKey, reference.parsedPublicKey];
  const split = await encryptSplitNatively({ data: new TextEncoder().encode('the report'), recipients });
  const keyId = (await made.parsedPublicKey.getEncryptionKey()).getKeyID().toHex();
  const mine = split.sessionKeys.find((s) => s.recipientKeyId === keyId)!;
  expect(mine).toBeDefined();
  const message = await readMessage({ binaryMessage: Buffer.concat([mine.packet, split.body]) });
  const { data } = await decrypt({
    message,
    decryptionKeys: await unlockReporterKey(made.lockedPrivateKey, receipt),
    format: 'binary',
  });
  expect(Buffer.from(data as Uint8Array).toString()).toBe('the report');

  // And OpenPGP.js's own encrypt takes the key as any recipient.
  const armored = await encrypt({
    message: await createMessage({ text: 'plain encrypt' }),
    encryptionKeys: await readKey({ armoredKey: made.publicKey }),
    config: messageConfig,
  });
  const opened = await decrypt({
    message: await readMessage({ armoredMessage: armored }),
    decryptionKeys: await unlockReporterKey(made.lockedPrivateKey, receipt),
  });
  expect(opened.data).toBe('plain encrypt');
});
