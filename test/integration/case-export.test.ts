// A reader exports a case and decrypts it with stock GnuPG; nobody else gets a byte of it.
import crypto from 'node:crypto';
import type { MemberWithKey } from '../../db/members.queries';
import { exportCaseForMember, listCases } from '../../server/cases/cases';
import { submitPlaintextReport } from '../../server/intake/reports';
import { DomainError, type DomainErrorKind } from '../../server/errors';
import { composeReportDocument, pickReportFields } from '../../server/intake/report-form';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGnupgHome } from '../helpers/gnupg';
import { fixtureKey, testArgon2Cost, type GoodKeyName } from '../helpers/keys';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let members: Partial<Record<GoodKeyName, MemberWithKey>>;
const attachmentBytes = new Uint8Array(crypto.randomBytes(3000));
// Every byte value, including NUL, CR, LF and bytes that are not UTF-8.
attachmentBytes.set(Uint8Array.from({ length: 256 }, (_, i) => i));
// As the form path builds it (CRLF from the browser becomes LF): OpenPGP text messages do not keep line endings.
const securityDocument = composeReportDocument(
  'security',
  pickReportFields('security', { body: 'Heap overflow — see poc ✓\r\nline 2', component: 'daemon' }),
);
const cocDocument = composeReportDocument('coc', { body: 'Dave said something.' }, ['Dave Approver']);
let securityRef: string;
let cocRef: string;

beforeAll(async () => {
  t = await createTestDatabase();
  members = await addCast(t.db, {
    alice: 'srt',
    bob: 'srt',
    carol: 'approver',
    dave: 'approver',
    erin: 'approver',
    frank: 'liaison',
  });
  const options = { channel: 'web-no-js' as const, argon2: testArgon2Cost };
  securityRef = (
    await submitPlaintextReport(
      t.db,
      {
        kind: 'security',
        involvedIds: [],
        document: securityDocument,
        attachments: [{ filename: 'poc.bin', data: attachmentBytes }],
      },
      options,
    )
  ).reference;
  cocRef = (
    await submitPlaintextReport(
      t.db,
      { kind: 'coc', involvedIds: [members.dave!.id], document: cocDocument, attachments: [] },
      options,
    )
  ).reference;
});

afterAll(async () => {
  await t.destroy();
});

async function decryptWithGpg(name: GoodKeyName, armored: string[]): Promise<Buffer[]> {
  const gpg = await createGnupgHome();
  try {
    await gpg.importKey(fixtureKey(name).secretKey);
    return await Promise.all(armored.map((message) => gpg.decrypt(message)));
  } finally {
    await gpg.destroy();
  }
}

async function refusal(reference: string, email: string): Promise<DomainErrorKind> {
  const error = await exportCaseForMember(t.db, reference, email).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).kind;
}

describe('exportCaseForMember for a reader', () => {
  test.each<GoodKeyName>(['alice', 'bob'])(
    '%s decrypts the security report and its binary attachment with gpg',
    async (name) => {
      const exported = await exportCaseForMember(t.db, securityRef, fixtureKey(name).email);
      expect(exported.map((m) => m.role)).toEqual(['report', 'attachment']);
      for (const message of exported)
        expect(message.armored).toMatch(/^-----BEGIN PGP MESSAGE-----\n[\s\S]+-----END PGP MESSAGE-----\n$/);
      const [report, attachment] = await decryptWithGpg(
        name,
        exported.map((m) => m.armored),
      );
      expect(report!.toString('utf8')).toBe(securityDocument);
      expect(attachment!.equals(Buffer.from(attachmentBytes))).toBe(true);
    },
  );

  test.each<GoodKeyName>(['carol', 'erin'])('%s decrypts the CoC report with gpg', async (name) => {
    const exported = await exportCaseForMember(t.db, cocRef, fixtureKey(name).email);
    const [report] = await decryptWithGpg(
      name,
      exported.map((m) => m.armored),
    );
    expect(report!.toString('utf8')).toBe(cocDocument);
  });

  test("a reader's export holds only that reader's session key: another member's secret key cannot open it", async () => {
    const [forCarol] = await exportCaseForMember(t.db, cocRef, fixtureKey('carol').email);
    const gpg = await createGnupgHome();
    try {
      await gpg.importKey(fixtureKey('erin').secretKey);
      const result = await gpg.tryDecrypt(forCarol!.armored);
      expect(result.code).not.toBe(0);
      expect(result.stdout.toString('utf8')).not.toContain('Dave said');
    } finally {
      await gpg.destroy();
    }
  });

  test('the reference and e-mail are matched without regard to case', async () => {
    const exported = await exportCaseForMember(t.db, cocRef.toLowerCase(), 'CAROL@example.org');
    expect(exported).toHaveLength(1);
  });
});

describe('exportCaseForMember refuses', () => {
  test('the approver the reporter named as involved → forbidden', async () => {
    expect(await refusal(cocRef, fixtureKey('dave').email)).toBe('forbidden');
  });

  test.each<GoodKeyName>(['alice', 'bob'])('SRT member %s on a CoC case → forbidden', async (name) => {
    expect(await refusal(cocRef, fixtureKey(name).email)).toBe('forbidden');
  });

  test.each<GoodKeyName>(['carol', 'dave', 'erin'])(
    'approver %s on a security case with a delegated SRT → forbidden',
    async (name) => {
      expect(await refusal(securityRef, fixtureKey(name).email)).toBe('forbidden');
    },
  );

  test('a liaison who was not appointed → forbidden', async () => {
    expect(await refusal(cocRef, fixtureKey('frank').email)).toBe('forbidden');
  });

  test('an unknown case or member → not-found', async () => {
    expect(await refusal('COC-1999-0001', fixtureKey('carol').email)).toBe('not-found');
    expect(await refusal(cocRef, 'nobody@example.org')).toBe('not-found');
  });

  test('the refusal says nothing of the content', async () => {
    const error = (await exportCaseForMember(t.db, cocRef, fixtureKey('dave').email).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toMatch(/Dave said|involved/);
  });
});

test('listCases shows both cases without content', async () => {
  const cases = await listCases(t.db);
  expect(cases.map((c) => [c.reference, c.kind, c.status, c.channel])).toEqual([
    [securityRef, 'security', 'new', 'web-no-js'],
    [cocRef, 'coc', 'new', 'web-no-js'],
  ]);
});
