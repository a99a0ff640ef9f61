import {
  createMessage,
  decrypt,
  encrypt,
  encryptKey,
  generateKey,
  readKey,
  readMessage,
  readPrivateKey,
} from 'openpgp';
import { checkReporterKey, createReporterKey, unlockReporterKey, type ReporterKey } from '../../crypto/reporter-key';
import { DecryptionError, InvalidKeyError } from '../../crypto/errors';
import { generateReceipt } from '../../crypto/receipt';
import { fixtureKey, testArgon2Cost } from '../helpers/keys';

async function invalidKeyReason(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidKeyError);
  return (error as InvalidKeyError).reason;
}

describe('reporter keys', () => {
  const receipt = generateReceipt();
  let reporter: ReporterKey;

  beforeAll(async () => {
    reporter = await createReporterKey(receipt, testArgon2Cost);
  });

  test('are an armored public key and a private key locked with Argon2 S2K under the receipt', async () => {
    expect(reporter.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const publicKey = await readKey({ armoredKey: reporter.publicKey });
    expect(publicKey.isPrivate()).toBe(false);
    expect(publicKey.getFingerprint().toUpperCase()).toBe(reporter.fingerprint);
    expect(publicKey.getUserIDs()).toEqual(['Reporter']); // no name, no e-mail

    const locked = await readPrivateKey({ armoredKey: reporter.lockedPrivateKey });
    expect(locked.isDecrypted()).toBe(false);
    const s2k = (locked.keyPacket as unknown as { s2k: { type: string } }).s2k;
    expect(s2k.type).toBe('argon2');
  });

  test('use v4 EdDSA/ECDH Curve25519, which GnuPG can encrypt to (not RFC 9580 Ed25519/X25519)', async () => {
    const publicKey = await readKey({ armoredKey: reporter.publicKey });
    expect(publicKey.keyPacket.version).toBe(4);
    expect(publicKey.getAlgorithmInfo()).toMatchObject({ algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' });
    expect((await publicKey.getEncryptionKey()).getAlgorithmInfo()).toMatchObject({
      algorithm: 'ecdh',
      curve: 'curve25519Legacy',
    });
  });

  test('unlock with the receipt, however it is typed, and then decrypt what was sent to the reporter', async () => {
    const message = await encrypt({
      message: await createMessage({ text: 'We have fixed it.' }),
      encryptionKeys: await readKey({ armoredKey: reporter.publicKey }),
    });
    const privateKey = await unlockReporterKey(
      reporter.lockedPrivateKey,
      `  ${receipt.toUpperCase().replace(/ /g, '-')}\n`,
    );
    expect(privateKey.isDecrypted()).toBe(true);
    const { data } = await decrypt({
      message: await readMessage({ armoredMessage: message as string }),
      decryptionKeys: privateKey,
    });
    expect(data).toBe('We have fixed it.');
  });

  test('a wrong receipt throws DecryptionError', async () => {
    let other = generateReceipt();
    while (other === receipt) other = generateReceipt();
    await expect(unlockReporterKey(reporter.lockedPrivateKey, other)).rejects.toBeInstanceOf(DecryptionError);
  });

  test('two reporters get different keys', async () => {
    const second = await createReporterKey(generateReceipt(), testArgon2Cost);
    expect(second.fingerprint).not.toBe(reporter.fingerprint);
  });
});

describe('checkReporterKey', () => {
  const receipt = generateReceipt();
  let reporter: ReporterKey;

  beforeAll(async () => {
    reporter = await createReporterKey(receipt, testArgon2Cost);
  });

  test('accepts a public key with its locked private key, and returns the fingerprint and key IDs', async () => {
    const checked = await checkReporterKey(reporter.publicKey, reporter.lockedPrivateKey);
    expect(checked.fingerprint).toBe(reporter.fingerprint);
    const key = await readKey({ armoredKey: reporter.publicKey });
    expect([...checked.keyIds].sort()).toEqual(
      key
        .getKeyIDs()
        .map((id) => id.toHex())
        .sort(),
    );
    expect(checked.keyIds.size).toBe(2);
  });

  test("accepts a key made by a browser whose clock runs ahead of the server's (within a day), not one from further on", async () => {
    const made = async (aheadMs: number) => {
      const { privateKey } = await generateKey({
        type: 'ecc',
        curve: 'ed25519Legacy',
        userIDs: [{ name: 'Reporter' }],
        date: new Date(Date.now() + aheadMs),
        format: 'object',
      });
      const locked = await encryptKey({ privateKey, passphrase: 'a receipt' });
      return checkReporterKey(privateKey.toPublic().armor(), locked.armor());
    };
    expect((await made(90_000)).keyIds.size).toBe(2);
    expect(await invalidKeyReason(made(3 * 24 * 3600_000))).toBe('malformed');
  });

  test('refuses an unlocked private key: it must never reach the server in the clear', async () => {
    const unlocked = (await unlockReporterKey(reporter.lockedPrivateKey, receipt)).armor();
    expect(await invalidKeyReason(checkReporterKey(reporter.publicKey, unlocked))).toBe('private-key');
  });

  test('refuses a locked key of another reporter', async () => {
    const other = await createReporterKey(generateReceipt(), testArgon2Cost);
    expect(await invalidKeyReason(checkReporterKey(reporter.publicKey, other.lockedPrivateKey))).toBe('malformed');
  });

  test('refuses a private key in place of the public key', async () => {
    expect(await invalidKeyReason(checkReporterKey(reporter.lockedPrivateKey, reporter.lockedPrivateKey))).toBe(
      'malformed',
    );
  });

  test('refuses a public key that cannot receive messages', async () => {
    expect(await invalidKeyReason(checkReporterKey(fixtureKey('sign-only').publicKey, reporter.lockedPrivateKey))).toBe(
      'malformed',
    );
  });

  test.each([
    ['garbage as the public key', () => ['not a key', reporter.lockedPrivateKey]],
    ['garbage as the locked key', () => [reporter.publicKey, 'not a key']],
    ['a public key as the locked key', () => [reporter.publicKey, reporter.publicKey]],
  ])('refuses %s', async (_what, args) => {
    const [publicKey, locked] = args() as [string, string];
    expect(await invalidKeyReason(checkReporterKey(publicKey, locked))).toBe('malformed');
  });
});
