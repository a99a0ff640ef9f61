// The JavaScript path: the client encrypts; the server checks the recipients against the routing and stores the split.
import type { MemberWithKey } from '../../db/members.queries';
import type { GoodKeyName } from '../helpers/keys';
import { submitEncryptedReport } from '../../server/intake/reports';
import { DomainError } from '../../server/errors';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import {
  addCast,
  clientEncryptedReport,
  emailsOf,
  fingerprintsOf,
  newReferenceShape,
  storedCase,
} from '../helpers/stored-case';

let t: TestDatabase;
let members: Partial<Record<GoodKeyName, MemberWithKey>>;

beforeEach(async () => {
  t = await createTestDatabase();
  members = await addCast(t.db, {
    alice: 'srt',
    bob: 'srt',
    carol: 'approver',
    dave: 'approver',
    erin: 'approver',
    frank: 'liaison',
  });
});

afterEach(async () => {
  await t.destroy();
});

async function expectBadInputAndNothingStored(promise: Promise<unknown>, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).kind).toBe('bad-input');
  if (message) expect((error as DomainError).message).toMatch(message);
  expect(await countCaseRows(t.db)).toEqual({ cases: 0, case_readers: 0, messages: 0, session_keys: 0 });
}

describe('submitEncryptedReport stores what the client encrypted, split', () => {
  test('a security report to the delegated SRT', async () => {
    const { input } = await clientEncryptedReport({
      kind: 'security',
      recipients: ['alice', 'bob'],
      text: 'bug',
      attachments: [new Uint8Array([1, 2, 3])],
    });
    const submitted = await submitEncryptedReport(t.db, input);
    expect(submitted).toEqual({ reference: expect.stringMatching(newReferenceShape('SEC')), kind: 'security' });

    const stored = await storedCase(t.db, submitted.reference);
    expect(stored.channel).toBe('web');
    expect(stored.readerEmails).toEqual(emailsOf(['alice', 'bob']));
    expect(stored.receiptLookupHex).toBe(input.receiptLookup);
    expect(stored.messages.map((m) => m.role)).toEqual(['report', 'attachment']);
    for (const message of stored.messages)
      expect(message.recipientFingerprints).toEqual(fingerprintsOf(['alice', 'bob'], stored.reporterFingerprint));
  });

  test('a Code of Conduct report to the approvers minus the involved one', async () => {
    const { input } = await clientEncryptedReport({
      kind: 'coc',
      recipients: ['carol', 'erin'],
      text: 'conduct',
      involvedIds: [members.dave!.id],
    });
    const submitted = await submitEncryptedReport(t.db, input, 'email');
    expect(submitted.reference).toMatch(newReferenceShape('COC'));
    const stored = await storedCase(t.db, submitted.reference);
    expect(stored.channel).toBe('email');
    expect(stored.readerEmails).toEqual(emailsOf(['carol', 'erin']));
    expect(stored.messages).toEqual([
      { role: 'report', recipientFingerprints: fingerprintsOf(['carol', 'erin'], stored.reporterFingerprint) },
    ]);
  });

  test('a security report when the SRT is the approvers themselves', async () => {
    await t.db.deleteFrom('members').where('role', '=', 'srt').execute();
    const { input } = await clientEncryptedReport({
      kind: 'security',
      recipients: ['carol', 'dave', 'erin'],
      text: 'bug',
    });
    const stored = await storedCase(t.db, (await submitEncryptedReport(t.db, input)).reference);
    expect(stored.readerEmails).toEqual(emailsOf(['carol', 'dave', 'erin']));
  });
});

describe('submitEncryptedReport refuses, and stores nothing, when', () => {
  test('a routed reader is missing', async () => {
    const { input } = await clientEncryptedReport({ kind: 'security', recipients: ['alice'], text: 'bug' });
    await expectBadInputAndNothingStored(submitEncryptedReport(t.db, input), /not encrypted to every routed reader/);
  });

  test('a member the report is not routed to is added (an SRT member on a CoC report)', async () => {
    const { input } = await clientEncryptedReport({
      kind: 'coc',
      recipients: ['carol', 'dave', 'erin', 'alice'],
      text: 'conduct',
    });
    await expectBadInputAndNothingStored(submitEncryptedReport(t.db, input), /may not read this case/);
  });

  test('the involved approver is among the recipients', async () => {
    const { input } = await clientEncryptedReport({
      kind: 'coc',
      recipients: ['carol', 'dave', 'erin'],
      text: 'x',
      involvedIds: [members.dave!.id],
    });
    await expectBadInputAndNothingStored(submitEncryptedReport(t.db, input), /may not read this case/);
  });

  test('the reporter key is not a recipient', async () => {
    const { input } = await clientEncryptedReport({
      kind: 'security',
      recipients: ['alice', 'bob'],
      text: 'x',
      omitReporter: true,
    });
    await expectBadInputAndNothingStored(submitEncryptedReport(t.db, input), /reporter key/);
  });

  test('only an attachment is addressed wrongly', async () => {
    const good = await clientEncryptedReport({ kind: 'security', recipients: ['alice', 'bob'], text: 'x' });
    const wrong = await clientEncryptedReport({ kind: 'security', recipients: ['alice', 'bob', 'frank'], text: 'x' });
    const input = { ...good.input, attachments: [wrong.input.report] };
    await expectBadInputAndNothingStored(submitEncryptedReport(t.db, input), /Attachment 1/);
  });

  test.each([
    ['garbage bytes', new Uint8Array([0xde, 0xad, 0xbe, 0xef])],
    ['garbage text', 'this is not encrypted'],
    ['an armored public key', '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n'],
  ])('the ciphertext is %s', async (_what, report) => {
    const { input } = await clientEncryptedReport({ kind: 'security', recipients: ['alice', 'bob'], text: 'x' });
    await expectBadInputAndNothingStored(
      submitEncryptedReport(t.db, { ...input, report }),
      /not a usable OpenPGP message/,
    );
  });

  test('the receipt lookup is not a hex SHA-256', async () => {
    const { input } = await clientEncryptedReport({ kind: 'security', recipients: ['alice', 'bob'], text: 'x' });
    await expectBadInputAndNothingStored(submitEncryptedReport(t.db, { ...input, receiptLookup: 'abc' }));
  });

  test('the locked reporter key is not locked', async () => {
    const { input } = await clientEncryptedReport({ kind: 'security', recipients: ['alice', 'bob'], text: 'x' });
    await expectBadInputAndNothingStored(
      submitEncryptedReport(t.db, { ...input, reporterLockedKey: input.reporterPublicKey }),
    );
  });
});

test('a refused submission stores nothing; the next one is stored under a new reference', async () => {
  const wrong = await clientEncryptedReport({ kind: 'security', recipients: ['alice'], text: 'x' });
  await expect(submitEncryptedReport(t.db, wrong.input)).rejects.toBeInstanceOf(DomainError);
  const right = await clientEncryptedReport({ kind: 'security', recipients: ['alice', 'bob'], text: 'x' });
  const stored = await submitEncryptedReport(t.db, right.input);
  expect(stored.reference).toMatch(newReferenceShape('SEC'));
  expect(await t.db.selectFrom('cases').select('reference').execute()).toEqual([{ reference: stored.reference }]);
});

test('the same receipt cannot open two cases → conflict', async () => {
  const first = await clientEncryptedReport({ kind: 'security', recipients: ['alice', 'bob'], text: 'x' });
  await submitEncryptedReport(t.db, first.input);
  const second = await clientEncryptedReport({ kind: 'security', recipients: ['alice', 'bob'], text: 'y' });
  const error = await submitEncryptedReport(t.db, { ...second.input, receiptLookup: first.input.receiptLookup }).catch(
    (e: unknown) => e,
  );
  expect((error as DomainError).kind).toBe('conflict');
  expect((await countCaseRows(t.db)).cases).toBe(1);
});

describe('routing from a member list a moment old', () => {
  test('a key replaced just before the submission: the report encrypted to the new key is accepted, to the old key refused', async () => {
    const { setMemberKey } = await import('../../server/governance/members');
    const warm = await clientEncryptedReport({
      kind: 'security',
      recipients: ['alice', 'bob'],
      text: 'warms the list',
    });
    await submitEncryptedReport(t.db, warm.input);
    // bob now uses gina's key (allowed for the test with --allow-uid-mismatch semantics).
    const { fixtureKey } = await import('../helpers/keys');
    await setMemberKey(t.db, members.bob!.email, fixtureKey('gina').publicKey, {
      by: 'operator',
      allowUidMismatch: true,
    });

    const stale = await clientEncryptedReport({
      kind: 'security',
      recipients: ['alice', 'bob'],
      text: 'to the old key',
    });
    await expect(submitEncryptedReport(t.db, stale.input)).rejects.toMatchObject({ kind: 'bad-input' });
    const current = await clientEncryptedReport({
      kind: 'security',
      recipients: ['alice', 'gina'],
      text: 'to the new key',
    });
    const stored = await storedCase(t.db, (await submitEncryptedReport(t.db, current.input)).reference);
    expect(stored.readerEmails).toEqual(emailsOf(['alice', 'bob']));
  });
});
