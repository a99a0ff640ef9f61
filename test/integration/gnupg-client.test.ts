// GnuPG as the client: a report made with `gpg --encrypt -r A -r B -r reporter` is accepted as is.
import type { ReporterKey } from '../../crypto/reporter-key';
import { createReporterKey, unlockReporterKey } from '../../crypto/reporter-key';
import { generateReceipt, receiptLookupHash } from '../../crypto/receipt';
import { decryptSplit } from '../../crypto/split-message';
import { submitEncryptedReport, type EncryptedReport } from '../../server/intake/reports';
import { exportCaseForMember } from '../../server/cases/cases';
import { DomainError } from '../../server/errors';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey, testArgon2Cost, type GoodKeyName } from '../helpers/keys';
import { addCast, fingerprintsOf, newReferenceShape, storedCase } from '../helpers/stored-case';

let t: TestDatabase;
let client: GnupgHome;
let receipt: string;
let reporter: ReporterKey;
const text = 'Found with gpg: the admission webhook skips the signature check.\n';

beforeAll(async () => {
  t = await createTestDatabase();
  await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver', frank: 'liaison' });
  client = await createGnupgHome();
  for (const name of ['alice', 'bob', 'carol', 'frank'] as const) await client.importKey(fixtureKey(name).publicKey);
  receipt = generateReceipt();
  reporter = await createReporterKey(receipt, testArgon2Cost);
  await client.importKey(reporter.publicKey);
});

afterAll(async () => {
  await client.destroy();
  await t.destroy();
});

async function reportFrom(armoredMessage: string): Promise<EncryptedReport> {
  return {
    kind: 'security',
    involvedIds: [],
    reporterPublicKey: reporter.publicKey,
    reporterLockedKey: reporter.lockedPrivateKey,
    receiptLookup: Buffer.from(await receiptLookupHash(receipt)).toString('hex'),
    report: armoredMessage,
    attachments: [],
  };
}

const recipients = (...names: GoodKeyName[]) => [
  ...names.map((name) => fixtureKey(name).fingerprint),
  reporter.fingerprint,
];

test('a gpg message that names a non-routed member besides the SRT and the reporter is refused, and stores nothing', async () => {
  const armored = await client.encrypt(text, recipients('alice', 'bob', 'frank'));
  const error = await submitEncryptedReport(t.db, await reportFrom(armored)).catch((e: unknown) => e);
  expect((error as DomainError).kind).toBe('bad-input');
  expect((await countCaseRows(t.db)).cases).toBe(0);
});

test('gpg --throw-keyids (hidden recipients) is refused, and stores nothing', async () => {
  const hidden = await client.encrypt(text, recipients('alice', 'bob'), ['--throw-keyids']);
  const error = await submitEncryptedReport(t.db, await reportFrom(hidden)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).message).toMatch(/anonymous key ID/);
  expect((await countCaseRows(t.db)).cases).toBe(0);
});

test('a message encrypted by gpg to exactly the SRT and the reporter is accepted, and each of them can read it', async () => {
  const armored = await client.encrypt(text, recipients('alice', 'bob'));
  const submitted = await submitEncryptedReport(t.db, await reportFrom(armored));
  expect(submitted.reference).toMatch(newReferenceShape('SEC'));

  const stored = await storedCase(t.db, submitted.reference);
  expect(stored.reporterFingerprint).toBe(reporter.fingerprint);
  expect(stored.messages).toEqual([
    { role: 'report', recipientFingerprints: fingerprintsOf(['alice', 'bob'], reporter.fingerprint) },
  ]);

  // A responder exports it and decrypts with gpg.
  const [exported] = await exportCaseForMember(t.db, submitted.reference, fixtureKey('bob').email);
  const responder = await createGnupgHome();
  try {
    await responder.importKey(fixtureKey('bob').secretKey);
    expect((await responder.decrypt(exported!.armored)).toString('utf8')).toBe(text);
  } finally {
    await responder.destroy();
  }

  // The reporter unlocks its key with the receipt and reads its own copy.
  const message = await t.db
    .selectFrom('messages')
    .select(['id', 'body'])
    .where('case_id', '=', stored.id)
    .executeTakeFirstOrThrow();
  const { packet } = await t.db
    .selectFrom('session_keys')
    .select('packet')
    .where('message_id', '=', message.id)
    .where('recipient_fingerprint', '=', reporter.fingerprint)
    .executeTakeFirstOrThrow();
  const decrypted = await decryptSplit({
    sessionKeyPacket: packet,
    body: message.body,
    decryptionKey: await unlockReporterKey(reporter.lockedPrivateKey, receipt),
  });
  expect(decrypted.data).toBe(text);
});
