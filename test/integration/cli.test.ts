// The operator's CLI as a subprocess (`node server/cli/intake.js`) against this file's own database.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { submitPlaintextReport } from '../../server/intake/reports';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGnupgHome } from '../helpers/gnupg';
import { fixtureKey, testArgon2Cost, FIXTURE_KEYS_DIR, type BadKeyName, type GoodKeyName } from '../helpers/keys';
import { runIntakeCli } from '../helpers/cli';
import type { ProcessResult } from '../helpers/run-process';

let t: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-cli-'));
});

afterAll(async () => {
  await t.destroy();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const intake = (...args: string[]): Promise<ProcessResult> =>
  runIntakeCli(args, { DATABASE_URL: t.url, DATA_DIR: dataDir });

const keyFile = (name: GoodKeyName | BadKeyName) => path.join(FIXTURE_KEYS_DIR, `${name}.pub.asc`);
const addMember = (name: GoodKeyName | BadKeyName, role: string, email = fixtureKey(name as GoodKeyName).email) =>
  intake('member', 'add', '--name', name, '--email', email, '--role', role, '--key', keyFile(name));

describe('intake member', () => {
  test('add accepts a good key and names its fingerprint', async () => {
    const result = await addMember('carol', 'approver');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toContain(fixtureKey('carol').fingerprint);
    expect((await addMember('erin', 'approver')).code).toBe(0);
  });

  test('add refuses a weak key: non-zero exit, the reason on stderr, nothing added', async () => {
    const weak = fixtureKey('weak-rsa1024');
    const result = await addMember('weak-rsa1024', 'approver', weak.email);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^intake: Key refused: .*RSA-1024/m);
    expect(result.stdout.toString()).toBe('');
    const members = await t.db.selectFrom('members').select('email').where('email', '=', weak.email).execute();
    expect(members).toEqual([]);
  });

  test('add refuses an unknown role before it touches the key', async () => {
    const result = await intake(
      'member',
      'add',
      '--name',
      'X',
      '--email',
      'x@example.org',
      '--role',
      'king',
      '--key',
      keyFile('alice'),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/role must be one of approver, srt, liaison/);
  });

  test('list --json shows the members with their fingerprints, and a one-person SRT warns on stderr', async () => {
    expect((await addMember('alice', 'srt')).code).toBe(0);
    const result = await intake('member', 'list', '--json');
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout.toString()) as { email: string; role: string; fingerprint: string }[];
    expect(rows.map((r) => [r.email, r.role, r.fingerprint])).toEqual([
      [fixtureKey('carol').email, 'approver', fixtureKey('carol').fingerprint],
      [fixtureKey('erin').email, 'approver', fixtureKey('erin').fingerprint],
      [fixtureKey('alice').email, 'srt', fixtureKey('alice').fingerprint],
    ]);
    expect(result.stderr).toMatch(/^warning: .*at least 2/m);
  });
});

describe('intake case', () => {
  let reference: string;
  const document = 'CLI export test: a report only carol can read.\n';

  beforeAll(async () => {
    const erin = await t.db
      .selectFrom('members')
      .select('id')
      .where('email', '=', fixtureKey('erin').email)
      .executeTakeFirstOrThrow();
    // A CoC report naming erin as involved: carol is its only reader.
    ({ reference } = await submitPlaintextReport(
      t.db,
      { kind: 'coc', involvedIds: [erin.id], document, attachments: [] },
      { channel: 'web-no-js', argon2: testArgon2Cost },
    ));
  });

  test('list --json shows the case without any content', async () => {
    const result = await intake('case', 'list', '--json');
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout.toString()) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      reference,
      kind: 'coc',
      channel: 'web-no-js',
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(result.stdout.toString()).not.toContain('CLI export test');
  });

  test('export REF --for a reader pipes into gpg --decrypt', async () => {
    const result = await intake('case', 'export', reference, '--for', fixtureKey('carol').email);
    expect(result.code).toBe(0);
    const gpg = await createGnupgHome();
    try {
      await gpg.importKey(fixtureKey('carol').secretKey);
      expect((await gpg.decrypt(result.stdout)).toString('utf8')).toBe(document);
    } finally {
      await gpg.destroy();
    }
  });

  test('export --out writes one file per message; the report and a binary attachment each decrypt with gpg', async () => {
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
    const { reference: securityRef } = await submitPlaintextReport(
      t.db,
      {
        kind: 'security',
        involvedIds: [],
        document: 'with a file\n',
        attachments: [{ filename: 'dump.bin', data: bytes }],
      },
      { channel: 'web-no-js', argon2: testArgon2Cost },
    );
    const out = path.join(dataDir, 'export');
    const result = await intake('case', 'export', securityRef, '--for', fixtureKey('alice').email, '--out', out);
    expect(result.code).toBe(0);
    const files = result.stdout.toString().trim().split('\n');
    expect(files.map((f) => path.basename(f))).toEqual([
      `${securityRef}-01-report.asc`,
      `${securityRef}-02-attachment.asc`,
    ]);
    const gpg = await createGnupgHome();
    try {
      await gpg.importKey(fixtureKey('alice').secretKey);
      expect((await gpg.decrypt(await fs.readFile(files[0]!, 'utf8'))).toString('utf8')).toBe('with a file\n');
      expect((await gpg.decrypt(await fs.readFile(files[1]!, 'utf8'))).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      await gpg.destroy();
    }
  });

  test.each<GoodKeyName>(['erin', 'alice'])(
    'export for a non-reader (%s) exits non-zero and prints nothing',
    async (name) => {
      const result = await intake('case', 'export', reference, '--for', fixtureKey(name).email);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/has no access/);
      expect(result.stdout.toString()).toBe('');
    },
  );
});
