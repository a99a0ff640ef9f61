// The intake key: made by us, usable by stock GnuPG (reporters encrypt to it, operators back it up).
import { readKey } from 'openpgp';
import { DecryptionError, InvalidKeyError, MalformedMessageError } from '../../crypto/errors';
import { exportIntakeSecretKey, generateIntakeKey, importIntakeKey, unlockIntakeKey } from '../../crypto/intake-key';
import { decryptForIntake, NotForIntakeKeyError } from '../../crypto/intake-decrypt';
import { messageConfig } from '../../crypto/openpgp-config';
import { wkdDirectUrl, wkdHash } from '../../crypto/wkd';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey, testArgon2Cost } from '../helpers/keys';
import { runOrThrow } from '../helpers/run-process';

const PASSPHRASE = 'correct horse battery staple';
const identities = [
  { name: 'Kmesh security reports', email: 'security@example.org' },
  { name: 'Kmesh Code of Conduct reports', email: 'conduct@example.org' },
];

let gpg: GnupgHome;
beforeAll(async () => {
  gpg = await createGnupgHome();
});
afterAll(() => gpg.destroy());

test('a new intake key is Ed25519/Curve25519, names every address, and unlocks only with its passphrase', async () => {
  const key = await generateIntakeKey({ identities, passphrase: PASSPHRASE, cost: testArgon2Cost });
  expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
  expect(key.lockedPrivateKey).not.toContain(PASSPHRASE);
  const publicKey = await readKey({ armoredKey: key.publicKey, config: messageConfig });
  expect(publicKey.isPrivate()).toBe(false);
  expect(publicKey.getUserIDs()).toEqual([
    'Kmesh security reports <security@example.org>',
    'Kmesh Code of Conduct reports <conduct@example.org>',
  ]);
  expect(publicKey.getAlgorithmInfo()).toMatchObject({ algorithm: 'eddsaLegacy' });

  const unlocked = await unlockIntakeKey(key.lockedPrivateKey, PASSPHRASE);
  expect(unlocked.isDecrypted()).toBe(true);
  await expect(unlockIntakeKey(key.lockedPrivateKey, 'wrong passphrase!!')).rejects.toBeInstanceOf(DecryptionError);
  await expect(generateIntakeKey({ identities, passphrase: 'short' })).rejects.toThrow(/at least 12/);
});

test('mail that gpg encrypts to the intake key decrypts in memory; mail to another key is named as such', async () => {
  const key = await generateIntakeKey({ identities, passphrase: PASSPHRASE, cost: testArgon2Cost });
  const unlocked = await unlockIntakeKey(key.lockedPrivateKey, PASSPHRASE);
  await gpg.importKey(key.publicKey);
  await gpg.importKey(fixtureKey('alice').publicKey);

  const toUs = await gpg.encrypt('the vulnerability', [key.fingerprint]);
  const result = await decryptForIntake({ message: toUs, keys: [unlocked] });
  expect(Buffer.from(result.data).toString('utf8')).toBe('the vulnerability');
  expect(result.decryptedWith).toBe(key.fingerprint);

  const toAlice = await gpg.encrypt('not for you', [fixtureKey('alice').fingerprint]);
  const refused = await decryptForIntake({ message: toAlice, keys: [unlocked] }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(NotForIntakeKeyError);
  expect((refused as NotForIntakeKeyError).recipientKeyIds).toHaveLength(1);

  // Hidden recipient (gpg --throw-keyids): every key of ours is tried.
  const hidden = await runOrThrow(
    'gpg',
    [
      '--batch',
      '--homedir',
      gpg.home,
      '--trust-model',
      'always',
      '--armor',
      '--throw-keyids',
      '--encrypt',
      '-r',
      key.fingerprint,
    ],
    { input: 'hidden' },
  );
  expect(Buffer.from((await decryptForIntake({ message: hidden.toString(), keys: [unlocked] })).data).toString()).toBe(
    'hidden',
  );
});

test('a truncated or garbled block is refused with a typed error, never a crash', async () => {
  const key = await generateIntakeKey({ identities, passphrase: PASSPHRASE, cost: testArgon2Cost });
  const unlocked = await unlockIntakeKey(key.lockedPrivateKey, PASSPHRASE);
  await gpg.importKey(key.publicKey);
  const armored = await gpg.encrypt('x'.repeat(5000), [key.fingerprint]);
  const lines = armored.trim().split('\n');
  const truncated = [...lines.slice(0, Math.floor(lines.length / 2)), '-----END PGP MESSAGE-----'].join('\n');
  const error = await decryptForIntake({ message: truncated, keys: [unlocked] }).catch((e: unknown) => e);
  expect(error instanceof MalformedMessageError || error instanceof DecryptionError).toBe(true);
  await expect(decryptForIntake({ message: new Uint8Array(64), keys: [unlocked] })).rejects.toBeInstanceOf(
    MalformedMessageError,
  );
  await expect(
    decryptForIntake({
      message: '-----BEGIN PGP MESSAGE-----\n\nnot base64 at all\n-----END PGP MESSAGE-----',
      keys: [unlocked],
    }),
  ).rejects.toBeInstanceOf(MalformedMessageError);
});

test('the exported private key imports into gpg under the same passphrase, and a gpg key can be imported as the intake key', async () => {
  const key = await generateIntakeKey({ identities, passphrase: PASSPHRASE, cost: testArgon2Cost });
  const exported = await exportIntakeSecretKey(key.lockedPrivateKey, PASSPHRASE);
  const home = await createGnupgHome();
  try {
    await runOrThrow(
      'gpg',
      ['--batch', '--homedir', home.home, '--pinentry-mode', 'loopback', '--passphrase', PASSPHRASE, '--import'],
      { input: exported },
    );
    const listed = (
      await runOrThrow('gpg', ['--batch', '--homedir', home.home, '--with-colons', '--list-secret-keys'])
    ).toString();
    expect(listed).toContain(key.fingerprint);

    // The other way: an operator's own gpg key becomes the intake key.
    await runOrThrow('gpg', [
      '--batch',
      '--homedir',
      home.home,
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      'gpg side secret',
      '--quick-gen-key',
      'Old <security@example.org>',
      'ed25519',
      'cert',
      'never',
    ]);
    const fpr = (await runOrThrow('gpg', ['--batch', '--homedir', home.home, '--with-colons', '--list-keys', 'Old']))
      .toString()
      .split('\n')
      .find((l) => l.startsWith('fpr'))!
      .split(':')[9]!;
    await runOrThrow('gpg', [
      '--batch',
      '--homedir',
      home.home,
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      'gpg side secret',
      '--quick-add-key',
      fpr,
      'cv25519',
      'encr',
      'never',
    ]);
    const secret = (
      await runOrThrow('gpg', [
        '--batch',
        '--homedir',
        home.home,
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        'gpg side secret',
        '--armor',
        '--export-secret-keys',
        fpr,
      ])
    ).toString();
    await expect(importIntakeKey({ armoredKey: secret, newPassphrase: PASSPHRASE })).rejects.toBeInstanceOf(
      DecryptionError,
    );
    const imported = await importIntakeKey({
      armoredKey: secret,
      passphrase: 'gpg side secret',
      newPassphrase: PASSPHRASE,
      cost: testArgon2Cost,
    });
    expect(imported.fingerprint).toBe(fpr);
    expect((await unlockIntakeKey(imported.lockedPrivateKey, PASSPHRASE)).isDecrypted()).toBe(true);
    await expect(
      importIntakeKey({ armoredKey: fixtureKey('alice').publicKey, newPassphrase: PASSPHRASE }),
    ).rejects.toBeInstanceOf(InvalidKeyError);
  } finally {
    await home.destroy();
  }
});

test('WKD names match gpg-wks-client', () => {
  // `gpg-wks-client --print-wkd-hash security@localhost` prints t5s8ztdbon8yzntexy6oz5y48etqsnbb.
  expect(wkdHash('security')).toBe('t5s8ztdbon8yzntexy6oz5y48etqsnbb');
  expect(wkdHash('Security')).toBe('t5s8ztdbon8yzntexy6oz5y48etqsnbb');
  expect(wkdDirectUrl('security@Example.org')).toBe(
    'https://example.org/.well-known/openpgpkey/hu/t5s8ztdbon8yzntexy6oz5y48etqsnbb?l=security',
  );
});
