// `intake backup` and `intake restore` (issue 13 §2): a populated installation backed up and restored
// into a new, empty one holds exactly the same rows, its audit chain verifies, every case decrypts
// with gpg for its readers, members sign in with their password and TOTP, the pending mail is still
// queued; a non-empty target is refused, and a backup taken while reports arrive is consistent.
// (Tampered, cut and newer-schema files: backup-refusals.test.ts; the CLI on embedded data: backup-cli.test.ts.)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MemberWithKey } from '../../db/members.queries';
import { createKysely } from '../../db/connect';
import { createBackup } from '../../server/backup/backup';
import { checkBackupFile, restoreBackup } from '../../server/backup/restore';
import { migrations } from '../../db/migrations';
import { addCaseMessage } from '../../server/cases/case-messages';
import { loadConfig } from '../../server/config';
import { createIntakeKeyIfNone } from '../../server/intake-key/intake-keys';
import { unlockIntakeKeys } from '../../server/intake-key/keyring';
import { createLogger } from '../../server/log';
import { SEND_QUEUE, startMailQueue } from '../../server/mail/queue';
import { createEmptyDatabase, tableContents, withClient } from '../helpers/backup-scenario';
import { runIntakeCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { encryptArmored, recordingEvents, signedIn } from '../helpers/dashboard';
import { confirmationOf, openReportForm, postReportForm } from '../helpers/form-client';
import { addFixtureMember, fixtureKey, testArgon2Cost, type GoodKeyName } from '../helpers/keys';
import { enrolMember, signIn, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { canary, decryptCaseWithGpg } from '../helpers/report-scenario';
import { startTestServer, type TestServer } from '../helpers/server';

jest.setTimeout(180_000);

const PASSPHRASE = 'the intake key passphrase, kept apart';
const NAMES: GoodKeyName[] = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina'];
const nameOf = (email: string) => NAMES.find((name) => fixtureKey(name).email === email)!;

let source: TestDatabase;
let server: AuthTestServer;
/** The public side, for reports (its own instance, as a second app process on the same database would be). */
let reports: TestServer;
let alice: EnrolledMember;
let bob: MemberWithKey;
let dave: MemberWithKey;
let workDir: string;
/** What each case's messages say, by reference, as the reporters and members wrote them. */
const written = new Map<string, string[]>();

beforeAll(async () => {
  source = await createTestDatabase();
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-backup-'));
  await fs.chmod(workDir, 0o711);
  server = await startAuthServer(source.db);
  reports = await startTestServer(source.db, { SUBMISSION_RATE_LIMIT: '100000' });
  alice = await enrolMember(source.db, server, 'alice', 'srt');
  bob = await addFixtureMember(source.db, 'bob', 'srt');
  await addFixtureMember(source.db, 'carol', 'approver');
  dave = await addFixtureMember(source.db, 'dave', 'approver');
  await createIntakeKeyIfNone(source.db, {
    identities: [{ name: 'Security reports', email: 'security@example.org' }],
    passphrase: PASSPHRASE,
    argon2: testArgon2Cost,
  });

  const security = await submitForm('security', canary('security'), [{ name: 'poc.bin', data: canary('attachment') }]);
  const comment = canary('comment');
  const armored = await encryptArmored(comment, [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey]);
  await addCaseMessage(source.db, signedIn(bob), security, 'comment', armored, recordingEvents());
  written.get(security)!.push(comment);
  // dave is named as involved: the CoC case goes to carol alone.
  await submitForm('coc', canary('coc'), [], [dave.id]);

  const queue = await startMailQueue(
    source.url,
    createLogger(() => undefined),
  );
  await queue.boss.send(SEND_QUEUE, {
    event: 'new-case',
    caseId: '00000000-0000-4000-8000-000000000000',
    memberId: bob.id,
  });
  await queue.stop();
});

afterAll(async () => {
  await server?.close();
  await reports?.close();
  await source?.destroy();
  await fs.rm(workDir, { recursive: true, force: true });
});

async function submitForm(
  kind: 'security' | 'coc',
  body: string,
  attachments: { name: string; data: string }[] = [],
  involved: string[] = [],
): Promise<string> {
  const session = await openReportForm(reports.url, kind);
  const answer = await postReportForm(
    reports.url,
    session,
    { kind, body, _csrf: session.csrf, ...(involved.length ? { involved } : {}) },
    attachments.map((a) => ({ name: a.name, data: Buffer.from(a.data) })),
  );
  const confirmed = confirmationOf(answer.html);
  if (answer.status !== 303 || !confirmed)
    throw new Error(
      `the report was not stored (${answer.status}): ${answer.html
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 600)}`,
    );
  written.set(confirmed.reference, [body, ...attachments.map((a) => a.data)]);
  return confirmed.reference;
}

const backupFile = (name: string) => path.join(workDir, name);

describe('a populated installation, backed up and restored into an empty one', () => {
  let target: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let file: string;

  beforeAll(async () => {
    file = backupFile('populated.intake-backup.gz');
    await createBackup(source.url, file);
    target = await createEmptyDatabase();
    await restoreBackup(target.url, file);
  });
  afterAll(async () => {
    await target?.destroy();
  });

  test('the file is 0600, complete (no .tmp left) and says what it holds', async () => {
    const { mode } = await fs.stat(file);
    expect(mode & 0o777).toBe(0o600);
    await expect(fs.access(`${file}.tmp`)).rejects.toThrow();
    const check = await runIntakeCli(['restore', '--check', file], { DATA_DIR: workDir });
    expect(check.stdout.toString()).toMatch(/^backup intact: \d+ tables, \d+ rows, made .* by intake /);

    // Every table the database has (asked independently of the backup's own catalog query), pg-boss's included.
    const { header } = await checkBackupFile(file);
    const tables = await withClient(source.url, async (client) => {
      const result = await client.query<{ name: string }>(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            AND (table_schema, table_name) NOT IN (SELECT n.nspname, c.relname FROM pg_class c
                   JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'p')`,
      );
      return result.rows.map((row) => row.name).sort();
    });
    expect(header.tables.map((t) => `${t.schema}.${t.name}`).sort()).toEqual(tables);
    expect(tables).toEqual(expect.arrayContaining(['public.kysely_migration', 'pgboss.queue', 'pgboss.version']));
    expect(header.migrations).toEqual(Object.keys(migrations).sort());
    expect(header.pgbossSchemaVersion).toEqual(expect.any(Number));
  });

  test('every table, pg-boss and the migration list included, holds exactly the backed-up rows', async () => {
    const before = await tableContents(source.url);
    const after = await tableContents(target.url);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
    for (const table of [
      'public.cases',
      'public.messages',
      'public.case_readers',
      'public.case_reads',
      'public.audit_log',
    ])
      expect(before.get(table)!.rows).toBeGreaterThan(0);
    expect([...before.keys()].filter((table) => table.startsWith('pgboss.j'))).toHaveLength(1);
  });

  test('`intake audit verify` passes on the restored installation', async () => {
    const result = await runIntakeCli(['audit', 'verify'], { DATABASE_URL: target.url, DATA_DIR: workDir });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toMatch(/audit chain intact: \d+ rows/);
  });

  test('every case still decrypts with gpg for each of its readers, and only theirs', async () => {
    const db = createKysely(target.url, 2);
    try {
      const readers = await db
        .selectFrom('case_readers')
        .innerJoin('cases', 'cases.id', 'case_readers.case_id')
        .innerJoin('members', 'members.id', 'case_readers.member_id')
        .select(['cases.reference', 'members.email'])
        .execute();
      expect(new Set(readers.map((r) => r.reference))).toEqual(new Set(written.keys()));
      expect(readers.map((r) => nameOf(r.email))).not.toContain('dave');
      for (const { reference, email } of readers) {
        const messages = await decryptCaseWithGpg(db, reference, nameOf(email));
        const texts = messages.map((m) => m.data.toString('utf8'));
        for (const expected of written.get(reference)!)
          expect(texts.some((text) => text.includes(expected))).toBe(true);
      }
    } finally {
      await db.destroy();
    }
  });

  test('members sign in with their password and TOTP, the intake key unlocks, and new reports continue the chain', async () => {
    const db = createKysely(target.url, 4);
    // The same clock: a TOTP step used on the source stays used on its restored copy.
    const restored = await startAuthServer(db, {}, server.clock);
    try {
      const { page } = await signIn(restored, alice);
      expect(page.status).toBe(303);
      expect(page.location).toBe('/dashboard');
      const config = loadConfig({ DATABASE_URL: target.url, DATA_DIR: workDir, INTAKE_KEY_PASSPHRASE: PASSPHRASE });
      const { keyring } = await unlockIntakeKeys({
        db,
        config,
        log: createLogger(() => undefined),
        argon2: testArgon2Cost,
      });
      expect(keyring.current().fingerprint).toMatch(/^[0-9A-F]{40}$/);

      // The identity sequence was carried over: a new report appends audit rows after the restored ones.
      const session = await openReportForm(restored.url, 'security');
      expect(
        (await postReportForm(restored.url, session, { kind: 'security', body: canary('after'), _csrf: session.csrf }))
          .status,
      ).toBe(303);
      const verified = await runIntakeCli(['audit', 'verify'], { DATABASE_URL: target.url, DATA_DIR: workDir });
      expect(verified.code).toBe(0);
    } finally {
      await restored.close();
      await db.destroy();
    }
  });

  test('the pending mail job is still queued for pg-boss', async () => {
    const queue = await startMailQueue(
      target.url,
      createLogger(() => undefined),
    );
    try {
      expect(await queue.waiting()).toBe(1);
      const [job] = await queue.boss.fetch(SEND_QUEUE);
      expect(job?.data).toEqual({
        event: 'new-case',
        caseId: '00000000-0000-4000-8000-000000000000',
        memberId: bob.id,
      });
    } finally {
      await queue.stop();
    }
  });

  test('a target that is not empty is refused, and left as it was', async () => {
    const before = await tableContents(target.url);
    await expect(restoreBackup(target.url, file)).rejects.toThrow(/Restore needs an empty installation/);
    await expect(restoreBackup(source.url, file)).rejects.toThrow(/Restore needs an empty installation/);
    expect(Object.fromEntries(await tableContents(target.url))).toEqual(Object.fromEntries(before));
  });
});

test('a backup taken while reports keep arriving is consistent: no message without its case, no key without its message', async () => {
  let backupDone = false;
  let afterBackup = 0;
  const submitting = async () => {
    // Keep going until at least one report has been stored after the backup's snapshot was complete.
    while (!backupDone || afterBackup < 1) {
      const ended = backupDone;
      await submitForm('security', canary('concurrent'));
      if (ended) afterBackup++;
    }
  };
  const counts = () =>
    withClient(source.url, async (client) => Number((await client.query('SELECT count(*) FROM cases')).rows[0].count));
  const before = await counts();
  const file = backupFile('concurrent.intake-backup.gz');
  const writers = [submitting(), submitting(), submitting()];
  await new Promise((resolve) => setTimeout(resolve, 200));
  await createBackup(source.url, file).finally(() => (backupDone = true));
  await Promise.all(writers);

  const target = await createEmptyDatabase();
  try {
    await restoreBackup(target.url, file);
    const restored = await withClient(target.url, async (client) => {
      const one = async (statement: string) => Number((await client.query(statement)).rows[0].n);
      return {
        cases: await one('SELECT count(*) AS n FROM cases'),
        casesWithoutReport: await one(
          `SELECT count(*) AS n FROM cases c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id AND m.role = 'report')`,
        ),
        messagesWithoutKeys: await one(
          'SELECT count(*) AS n FROM messages m WHERE NOT EXISTS (SELECT 1 FROM session_keys k WHERE k.message_id = m.id)',
        ),
        keysWithoutMessage: await one(
          'SELECT count(*) AS n FROM session_keys k WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = k.message_id)',
        ),
        readersWithoutCase: await one(
          'SELECT count(*) AS n FROM case_readers r WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = r.case_id)',
        ),
      };
    });
    expect(restored).toMatchObject({
      casesWithoutReport: 0,
      messagesWithoutKeys: 0,
      keysWithoutMessage: 0,
      readersWithoutCase: 0,
    });
    expect(restored.cases).toBeGreaterThanOrEqual(before);
    expect(restored.cases).toBeLessThan(await counts());
    const verified = await runIntakeCli(['audit', 'verify'], { DATABASE_URL: target.url, DATA_DIR: workDir });
    expect(verified.code).toBe(0);
  } finally {
    await target.destroy();
  }
});
