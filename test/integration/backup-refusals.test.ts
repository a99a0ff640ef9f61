// Backups that must not be restored, or not as they are: a tampered row, a cut or foreign file and a
// newer schema are refused with nothing written; an older schema is restored, then migrated up; and
// a restore needs no superuser: the owner of an empty database (as on a managed PostgreSQL) may run it.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Migrator } from 'kysely';
import { createKysely } from '../../db/connect';
import { migrations } from '../../db/migrations';
import { createBackup } from '../../server/backup/backup';
import { restoreBackup } from '../../server/backup/restore';
import { createLogger } from '../../server/log';
import { SEND_QUEUE, startMailQueue } from '../../server/mail/queue';
import { createEmptyDatabase, rewriteBackup, tableContents, withClient } from '../helpers/backup-scenario';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';

jest.setTimeout(120_000);

let source: TestDatabase;
let workDir: string;

beforeAll(async () => {
  source = await createTestDatabase();
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-backup-refusals-'));
  await addFixtureMember(source.db, 'alice', 'srt');
  await addFixtureMember(source.db, 'bob', 'srt');
});

afterAll(async () => {
  await source?.destroy();
  await fs.rm(workDir, { recursive: true, force: true });
});

const backupFile = (name: string) => path.join(workDir, name);

describe('a backup that must not be restored', () => {
  let file: string;
  let target: Awaited<ReturnType<typeof createEmptyDatabase>>;

  beforeAll(async () => {
    file = backupFile('original.intake-backup.gz');
    await createBackup(source.url, file);
  });
  beforeEach(async () => {
    target = await createEmptyDatabase();
  });
  afterEach(async () => {
    await target.destroy();
  });

  test('a tampered row fails its checksum; the whole restore rolls back', async () => {
    const tampered = backupFile('tampered.intake-backup.gz');
    const display = fixtureKey('bob').displayName;
    await rewriteBackup(file, tampered, (text) => {
      const members = text.indexOf('table {"schema":"public","name":"members"}');
      const at = text.indexOf(display, members);
      return text.slice(0, at) + display.toUpperCase() + text.slice(at + display.length);
    });
    await expect(restoreBackup(target.url, tampered)).rejects.toThrow(/public\.members do not match their checksum/);
    expect(await target.tables()).toEqual([]);
  });

  test('a truncated file and a file that is no backup are refused clearly', async () => {
    const truncated = backupFile('truncated.intake-backup.gz');
    const bytes = await fs.readFile(file);
    await fs.writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    await expect(restoreBackup(target.url, truncated)).rejects.toThrow(/damaged or truncated|truncated/);
    const notBackup = backupFile('not-a-backup.gz');
    await rewriteBackup(file, notBackup, () => 'hello\n');
    await expect(restoreBackup(target.url, notBackup)).rejects.toThrow(/not an intake backup/);
    expect(await target.tables()).toEqual([]);
  });

  test('a backup from a newer schema is refused before anything is written', async () => {
    const newer = backupFile('newer.intake-backup.gz');
    await rewriteBackup(file, newer, (text) =>
      text.replace(/"migrations":\[([^\]]*)\]/, (_, list) => `"migrations":[${list},"2099-01-01-01-future"]`),
    );
    await expect(restoreBackup(target.url, newer)).rejects.toThrow(/made by a newer version of intake/);
    expect(await target.tables()).toEqual([]);
  });
});

test('a backup from an older schema is restored, then migrated up to this version', async () => {
  const older = await createEmptyDatabase();
  const target = await createEmptyDatabase();
  try {
    const db = createKysely(older.url, 1);
    const names = Object.keys(migrations).sort();
    const level = '2026-12-01-04-submission-tokens';
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo(level)).error).toBeUndefined();
    } finally {
      await db.destroy();
    }
    await withClient(older.url, (client) =>
      client.query(`INSERT INTO members (name, email, role) VALUES ('Old Member', 'old@example.org', 'srt')`),
    );
    const file = backupFile('older.intake-backup.gz');
    await createBackup(older.url, file);
    const result = await restoreBackup(target.url, file);
    expect(result.migratedUp).toEqual(names.slice(names.indexOf(level) + 1));
    const restored = await withClient(target.url, async (client) => ({
      migrations: (await client.query('SELECT name FROM kysely_migration ORDER BY name')).rows.map((r) => r.name),
      members: (await client.query('SELECT email FROM members')).rows.map((r) => r.email),
    }));
    expect(restored).toEqual({ migrations: names, members: ['old@example.org'] });
  } finally {
    await older.destroy();
    await target.destroy();
  }
});

test('the owner of an empty database, without superuser rights, restores it, pg-boss and triggers included', async () => {
  const queue = await startMailQueue(
    source.url,
    createLogger(() => undefined),
  );
  await queue.boss.send(SEND_QUEUE, {
    event: 'new-case',
    caseId: '00000000-0000-4000-8000-000000000001',
    memberId: 'x',
  });
  await queue.stop();
  const file = backupFile('with-mail.intake-backup.gz');
  await createBackup(source.url, file);
  const target = await createEmptyDatabase({ ownedByNewRole: true });
  try {
    const superuser = await withClient(target.url, async (client) => (await client.query('SHOW is_superuser')).rows[0]);
    expect(superuser).toEqual({ is_superuser: 'off' });
    await restoreBackup(target.url, file);
    expect(Object.fromEntries(await tableContents(target.url))).toEqual(
      Object.fromEntries(await tableContents(source.url)),
    );
    // The triggers a restore switches off came back, each in its own mode (ALWAYS stays ALWAYS).
    const triggers = (url: string) =>
      withClient(url, async (client) =>
        (
          await client.query(
            `SELECT tgrelid::regclass::text || '.' || tgname || '=' || tgenabled::text AS t FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`,
          )
        ).rows.map((row) => row.t),
      );
    expect(await triggers(target.url)).toEqual(await triggers(source.url));
    expect(await triggers(target.url)).toContain('audit_log.audit_log_no_update_delete=A');
  } finally {
    await target.destroy();
  }
});
