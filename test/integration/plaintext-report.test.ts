// The no-JavaScript path: the server encrypts in memory to the routed readers and a new reporter key.
import type { GoodKeyName } from '../helpers/keys';
import type { MemberRole } from '../../db/database';
import { submitPlaintextReport } from '../../server/intake/reports';
import { receiptLookupHash, isWellFormedReceipt } from '../../crypto/receipt';
import { decryptSplit } from '../../crypto/split-message';
import { unlockReporterKey } from '../../crypto/reporter-key';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { testArgon2Cost } from '../helpers/keys';
import { addCast, emailsOf, fingerprintsOf, newReferenceShape, storedCase } from '../helpers/stored-case';

let t: TestDatabase;
afterEach(async () => {
  await t.destroy();
});

const submit = (
  kind: 'security' | 'coc',
  document: string,
  involvedIds: string[] = [],
  attachments: { filename: string; data: Uint8Array }[] = [],
) =>
  submitPlaintextReport(
    t.db,
    { kind, involvedIds, document, attachments },
    { channel: 'web-no-js', argon2: testArgon2Cost },
  );

describe.each<[string, Partial<Record<GoodKeyName, MemberRole>>, GoodKeyName[]]>([
  ['no delegated SRT', { carol: 'approver', dave: 'approver', frank: 'liaison' }, ['carol', 'dave']],
  [
    'a delegated SRT of two',
    { alice: 'srt', bob: 'srt', carol: 'approver', dave: 'approver', frank: 'liaison' },
    ['alice', 'bob'],
  ],
  ['an SRT of one', { alice: 'srt', carol: 'approver', dave: 'approver' }, ['alice', 'carol', 'dave']],
])('a security report, with %s', (_what, cast, routed) => {
  beforeEach(async () => {
    t = await createTestDatabase();
    await addCast(t.db, cast);
  });

  test(`is readable by exactly ${routed.join(', ')} and the reporter`, async () => {
    const attachment = { filename: 'poc.bin', data: new Uint8Array([0, 1, 2, 255]) };
    const submitted = await submit('security', 'RCE in the daemon', [], [attachment]);
    expect(submitted).toMatchObject({ reference: expect.stringMatching(newReferenceShape('SEC')), kind: 'security' });

    const stored = await storedCase(t.db, submitted.reference);
    expect(stored).toMatchObject({ kind: 'security', channel: 'web-no-js' });
    expect(stored.readerEmails).toEqual(emailsOf(routed));
    expect(stored.messages.map((m) => m.role)).toEqual(['report', 'attachment']);
    for (const message of stored.messages)
      expect(message.recipientFingerprints).toEqual(fingerprintsOf(routed, stored.reporterFingerprint));
  });
});

describe('a Code of Conduct report', () => {
  beforeEach(async () => {
    t = await createTestDatabase();
  });

  test('goes to the approvers minus the involved one, never to the SRT or a liaison', async () => {
    const members = await addCast(t.db, {
      alice: 'srt',
      bob: 'srt',
      carol: 'approver',
      dave: 'approver',
      erin: 'approver',
      frank: 'liaison',
    });
    const submitted = await submit('coc', 'It happened in the community call.', [members.dave!.id]);
    expect(submitted.reference).toMatch(newReferenceShape('COC'));
    const stored = await storedCase(t.db, submitted.reference);
    expect(stored.readerEmails).toEqual(emailsOf(['carol', 'erin']));
    expect(stored.messages).toEqual([
      { role: 'report', recipientFingerprints: fingerprintsOf(['carol', 'erin'], stored.reporterFingerprint) },
    ]);
  });
});

describe('the reporter', () => {
  beforeEach(async () => {
    t = await createTestDatabase();
    await addCast(t.db, { carol: 'approver' });
  });

  test('gets a receipt that finds the case and unlocks the reporter key, which decrypts the report', async () => {
    const { reference: ref, receipt } = await submit('coc', 'My own words.');
    expect(isWellFormedReceipt(receipt)).toBe(true);
    const stored = await storedCase(t.db, ref);
    expect(stored.receiptLookupHex).toBe(Buffer.from(await receiptLookupHash(receipt)).toString('hex'));

    const row = await t.db
      .selectFrom('cases')
      .select('reporter_locked_key')
      .where('id', '=', stored.id)
      .executeTakeFirstOrThrow();
    const reporterKey = await unlockReporterKey(row.reporter_locked_key!, receipt);
    const message = await t.db
      .selectFrom('messages')
      .select(['id', 'body'])
      .where('case_id', '=', stored.id)
      .executeTakeFirstOrThrow();
    const packet = await t.db
      .selectFrom('session_keys')
      .select('packet')
      .where('message_id', '=', message.id)
      .where('recipient_fingerprint', '=', stored.reporterFingerprint)
      .executeTakeFirstOrThrow();
    const decrypted = await decryptSplit({
      sessionKeyPacket: packet.packet,
      body: message.body,
      decryptionKey: reporterKey,
    });
    expect(decrypted.data).toBe('My own words.');
  });

  test('the database holds no plaintext of the report', async () => {
    const { reference: ref } = await submit('coc', 'CANARY-7f3a9c plaintext must not be stored');
    const { id } = await storedCase(t.db, ref);
    const bodies = await t.db.selectFrom('messages').select('body').where('case_id', '=', id).execute();
    for (const { body } of bodies) expect(body.includes(Buffer.from('CANARY-7f3a9c'))).toBe(false);
  });
});

describe('references', () => {
  beforeEach(async () => {
    t = await createTestDatabase();
    await addCast(t.db, { carol: 'approver', dave: 'approver' });
  });

  test('carry the kind and the year, then random characters: each one stored as the reporter was told', async () => {
    const told = [await submit('security', 'one'), await submit('coc', 'two'), await submit('security', 'three')];
    expect(told.map((s) => s.reference)).toEqual([
      expect.stringMatching(newReferenceShape('SEC')),
      expect.stringMatching(newReferenceShape('COC')),
      expect.stringMatching(newReferenceShape('SEC')),
    ]);
    const stored = await t.db.selectFrom('cases').select('reference').execute();
    expect(stored.map((r) => r.reference).sort()).toEqual(told.map((s) => s.reference).sort());
  });
});
