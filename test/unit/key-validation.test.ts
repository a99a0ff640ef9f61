import { readKey } from 'openpgp';
import { validatePublicKey } from '../../crypto/keys';
import { InvalidKeyError, type InvalidKeyReason } from '../../crypto/errors';
import { fixtureKey, fixtureKeyNames, type BadKeyName, type GoodKeyName } from '../helpers/keys';

const GOOD: GoodKeyName[] = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'];

async function refusal(armored: string, options?: Parameters<typeof validatePublicKey>[1]): Promise<InvalidKeyError> {
  const error = await validatePublicKey(armored, options).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidKeyError);
  return error as InvalidKeyError;
}

describe('validatePublicKey accepts the good fixture keys', () => {
  test('the fixtures cover every key index.json lists', () => {
    const bad: BadKeyName[] = ['weak-rsa1024', 'sign-only', 'expired', 'revoked', 'dsa-elgamal'];
    expect(fixtureKeyNames().sort()).toEqual([...GOOD, ...bad].sort());
  });

  test.each(GOOD)('%s is accepted with its own e-mail, under its index.json fingerprint', async (name) => {
    const fixture = fixtureKey(name);
    const key = await validatePublicKey(fixture.publicKey, { email: fixture.email });
    expect(key.fingerprint).toBe(fixture.fingerprint);
    expect(key.userIds).toContain(`${fixture.displayName} <${fixture.email}>`);
    expect(key.encryptionKeyId).toMatch(/^[0-9a-f]{16}$/);
    // Messages go to the encryption subkey, never the signing primary.
    expect(fixture.fingerprint.toLowerCase().endsWith(key.encryptionKeyId)).toBe(false);
    expect(key.armored).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect(key.armored).not.toContain('PRIVATE');
  });

  test('ed25519 keys are described as ed25519 with a curve25519 encryption subkey', async () => {
    const key = await validatePublicKey(fixtureKey('alice').publicKey);
    // GnuPG 2.2 makes v4 EdDSA/ECDH keys, which OpenPGP.js names ed25519Legacy/curve25519Legacy: shown as people say it.
    expect(key.algorithm).toBe('Ed25519 / Curve25519');
  });

  test('RSA-3072 keys are accepted and described as such', async () => {
    const key = await validatePublicKey(fixtureKey('bob').publicKey);
    expect(key.algorithm).toBe('RSA-3072 / RSA-3072');
  });

  test('the e-mail comparison ignores case and surrounding spaces', async () => {
    const key = await validatePublicKey(fixtureKey('carol').publicKey, { email: '  Carol@Example.ORG ' });
    expect(key.fingerprint).toBe(fixtureKey('carol').fingerprint);
  });
});

describe('validatePublicKey refuses bad keys with the right reason', () => {
  test.each<[BadKeyName, InvalidKeyReason]>([
    ['weak-rsa1024', 'weak'],
    ['sign-only', 'no-encryption-subkey'],
    ['expired', 'expired'],
    ['revoked', 'revoked'],
    ['dsa-elgamal', 'weak'],
  ])('%s → %s', async (name, reason) => {
    const fixture = fixtureKey(name);
    const error = await refusal(fixture.publicKey, { email: fixture.email });
    expect(error.reason).toBe(reason);
    expect(error.message).toContain(fixture.fingerprint);
  });

  test('RSA-1024 is named with its size', async () => {
    const error = await refusal(fixtureKey('weak-rsa1024').publicKey);
    expect(error.message).toMatch(/RSA-1024/);
  });

  test('DSA/ElGamal is named as a refused algorithm', async () => {
    const error = await refusal(fixtureKey('dsa-elgamal').publicKey);
    expect(error.message).toMatch(/DSA|ELGAMAL/);
  });

  test('a private key given as the public key → private-key', async () => {
    const error = await refusal(fixtureKey('alice').secretKey);
    expect(error.reason).toBe('private-key');
  });

  test.each([
    ['plain text', 'hello, this is my key'],
    ['an empty string', ''],
    ['a truncated armor', fixtureKey('alice').publicKey.slice(0, 200)],
    ['an armored message instead of a key', '-----BEGIN PGP MESSAGE-----\n\nwcBMA0Xk\n-----END PGP MESSAGE-----\n'],
  ])('%s → malformed', async (_what, text) => {
    const error = await refusal(text);
    expect(error.reason).toBe('malformed');
  });

  test('a key without the member e-mail → uid-mismatch', async () => {
    const error = await refusal(fixtureKey('alice').publicKey, { email: 'mallory@example.org' });
    expect(error.reason).toBe('uid-mismatch');
    expect(error.message).toContain('--allow-uid-mismatch');
  });

  test('allowUidMismatch accepts the same key for another e-mail', async () => {
    const key = await validatePublicKey(fixtureKey('alice').publicKey, {
      email: 'mallory@example.org',
      allowUidMismatch: true,
    });
    expect(key.fingerprint).toBe(fixtureKey('alice').fingerprint);
  });

  test('allowUidMismatch does not let a bad key through', async () => {
    const error = await refusal(fixtureKey('revoked').publicKey, {
      email: 'mallory@example.org',
      allowUidMismatch: true,
    });
    expect(error.reason).toBe('revoked');
  });

  test('expiry is judged at `now`: within its one valid day the expired fixture was acceptable', async () => {
    const fixture = fixtureKey('expired');
    const created = (await readKey({ armoredKey: fixture.publicKey })).getCreationTime();
    const key = await validatePublicKey(fixture.publicKey, { now: new Date(created.getTime() + 3_600_000) });
    expect(key.fingerprint).toBe(fixture.fingerprint);
    expect((await refusal(fixture.publicKey, { now: new Date(created.getTime() + 2 * 86_400_000) })).reason).toBe(
      'expired',
    );
  });
});
