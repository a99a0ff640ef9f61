// A submitted reporter key's self-signatures verified natively (crypto/self-signatures-native.ts):
// a good one is marked verified as OpenPGP.js marks it, a bad one is left for OpenPGP.js to refuse,
// and every other check OpenPGP.js makes of the key (its expiry, here) still runs.
import { generateKey, readKey, type PublicKey } from 'openpgp';
import { checkReporterKey, createReporterKey } from '../../crypto/reporter-key';
import { generateReceipt } from '../../crypto/receipt';
import { InvalidKeyError } from '../../crypto/errors';
import { messageConfig } from '../../crypto/openpgp-config';
import { verifySelfSignaturesNatively } from '../../crypto/self-signatures-native';
import { fixtureKey } from '../helpers/keys';

const verifyFirst = verifySelfSignaturesNatively;

/** Whether each self-signature carries OpenPGP.js's "verified" mark. */
function marks(key: PublicKey): boolean[] {
  const signatures = [
    ...key.users.flatMap((user) => user.selfCertifications),
    ...key.subkeys.flatMap((subkey) => subkey.bindingSignatures),
  ];
  return signatures.map((signature) => {
    const marker = Object.getOwnPropertySymbols(signature).find((s) => s.description === 'verified')!;
    return (signature as unknown as Record<symbol, unknown>)[marker] === true;
  });
}

test("a reporter key's certification and subkey binding verify natively and are marked, and the key passes", async () => {
  const made = await createReporterKey(generateReceipt(), 'fast');
  const key = await readKey({ armoredKey: made.publicKey });
  expect(marks(key)).toEqual([false, false]);
  await verifySelfSignaturesNatively(key);
  expect(marks(key)).toEqual([true, true]);
  await expect(key.getEncryptionKey()).resolves.toBeDefined();
  const checked = await checkReporterKey(made.publicKey, made.lockedPrivateKey, { verifyFirst });
  expect(checked.fingerprint).toBe(made.fingerprint);
});

test('an altered binding signature is not marked, and the key is refused as before', async () => {
  const made = await createReporterKey(generateReceipt(), 'fast');
  const bytes = (await readKey({ armoredKey: made.publicKey })).write();
  // The last octet ends the subkey binding's s: the signature no longer verifies.
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  const altered = await readKey({ binaryKey: bytes });
  await verifySelfSignaturesNatively(altered);
  expect(marks(altered)).toEqual([true, false]);
  await expect(altered.getEncryptionKey()).rejects.toThrow();
  await expect(
    checkReporterKey(altered.armor(messageConfig), made.lockedPrivateKey, { verifyFirst }),
  ).rejects.toBeInstanceOf(InvalidKeyError);
});

test("a good signature on an expired key is marked, and OpenPGP.js's own checks still refuse the key", async () => {
  const { publicKey } = await generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name: 'Reporter' }],
    keyExpirationTime: 60,
    date: new Date(Date.now() - 3_600_000),
    format: 'object',
    config: messageConfig,
  });
  const key = await readKey({ armoredKey: publicKey.armor(messageConfig) });
  await verifySelfSignaturesNatively(key);
  expect(marks(key)).toEqual([true, true]);
  await expect(key.getEncryptionKey()).rejects.toThrow();
});

test('an RSA key is left entirely to OpenPGP.js', async () => {
  const key = await readKey({ armoredKey: fixtureKey('bob').publicKey });
  await verifySelfSignaturesNatively(key);
  expect(marks(key).every((marked) => !marked)).toBe(true);
  await expect(key.getEncryptionKey()).resolves.toBeDefined();
});
