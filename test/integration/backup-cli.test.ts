// The operator's commands end to end on embedded installations: `intake backup --out FILE` from one
// data directory, `intake restore FILE` into a new one, which then serves the same members and chain.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runIntakeCli } from '../helpers/cli';
import { fixtureKey } from '../helpers/keys';

jest.setTimeout(180_000);

let workDir: string;

beforeAll(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-backup-cli-'));
  // As root, the embedded PostgreSQL runs as "postgres" and must traverse it.
  await fs.chmod(workDir, 0o711);
});

afterAll(async () => {
  await fs.rm(workDir, { recursive: true, force: true });
});

test('the CLI backs up and restores embedded installations end to end', async () => {
  const sourceDir = path.join(workDir, 'source-data');
  const targetDir = path.join(workDir, 'target-data');
  const file = path.join(workDir, 'cli.intake-backup.gz');
  const intake = (dataDir: string, ...args: string[]) => runIntakeCli(args, { DATA_DIR: dataDir, DATABASE_URL: '' });

  const added = await intake(
    sourceDir,
    'member',
    'add',
    '--name',
    'Erin',
    '--email',
    fixtureKey('erin').email,
    '--role',
    'srt',
    '--key',
    fixtureKey('erin').secretKeyPath.replace('.sec.', '.pub.'),
  );
  expect(added.code).toBe(0);
  const backup = await intake(sourceDir, 'backup', '--out', file);
  expect(backup.code).toBe(0);
  expect(backup.stdout.toString()).toContain(`backup written: ${file}`);
  expect(backup.stderr).toContain('Keep INTAKE_KEY_PASSPHRASE apart from this file');
  expect((await fs.stat(file)).mode & 0o777).toBe(0o600);

  const restore = await intake(targetDir, 'restore', file);
  expect(restore.stderr).toBe('');
  expect(restore.code).toBe(0);
  expect(restore.stdout.toString()).toMatch(/^restored: \d+ tables, \d+ rows/);
  const listed = await intake(targetDir, 'member', 'list');
  expect(listed.stdout.toString()).toContain(fixtureKey('erin').email);
  expect((await intake(targetDir, 'audit', 'verify')).code).toBe(0);

  const again = await intake(targetDir, 'restore', file);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('intake: Restore needs an empty installation');
});
