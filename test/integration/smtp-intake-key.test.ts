// The intake key's life, through the operator's CLI as a subprocess against the running intake:
// show, export (public, and private for gpg), rotate with a grace period during which mail to the
// old key is still taken, destruction after it, import of a gpg-made key, and a clear refusal
// without a passphrase on a DATABASE_URL deployment.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { SECURITY, sendMail, startMailScenario, TEST_PASSPHRASE, type MailScenario } from '../helpers/mail-scenario';
import { createGnupgHome } from '../helpers/gnupg';
import { runOrThrow, runProcess, type ProcessResult } from '../helpers/run-process';

const ROOT = path.join(__dirname, '..', '..');
let s: MailScenario;
let dir: string;

beforeAll(async () => {
  s = await startMailScenario({ relay: false });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-key-cli-'));
});
afterAll(async () => {
  await s?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function intake(
  args: string[],
  env: Record<string, string | undefined> = { INTAKE_KEY_PASSPHRASE: TEST_PASSPHRASE },
): Promise<ProcessResult> {
  return runProcess(process.execPath, [path.join(ROOT, 'server', 'cli', 'intake.js'), ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: s.database.url,
      DATA_DIR: dir,
      MAIL_DOMAIN: 'intake.test',
      INTAKE_KEY_PASSPHRASE: undefined,
      ...env,
    },
    timeoutMs: 60_000,
  });
}

test('show and export name the key the intake uses; the exported private key imports into gpg', async () => {
  const shown = await intake(['intake-key', 'show']);
  expect(shown.code).toBe(0);
  expect(shown.stdout.toString()).toContain(s.intakeFingerprint.replace(/(.{4})/g, '$1 ').trim());
  expect(shown.stdout.toString()).toContain('<security@intake.test>');

  const exported = await intake(['intake-key', 'export']);
  expect(exported.stdout.toString()).toBe(s.intakeKeys.current().armored);

  const secret = await intake(['intake-key', 'export', '--secret', '--out', path.join(dir, 'secret.asc')]);
  expect(secret.code).toBe(0);
  expect((await fs.stat(path.join(dir, 'secret.asc'))).mode & 0o077).toBe(0);
  const gpg = await createGnupgHome();
  try {
    await runOrThrow('gpg', [
      '--homedir',
      gpg.home,
      '--batch',
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      TEST_PASSPHRASE,
      '--import',
      path.join(dir, 'secret.asc'),
    ]);
    expect(
      (await runOrThrow('gpg', ['--homedir', gpg.home, '--batch', '--with-colons', '--list-secret-keys'])).toString(),
    ).toContain(s.intakeFingerprint);
  } finally {
    await gpg.destroy();
  }
});

test('without a passphrase, a DATABASE_URL deployment is told what to set', async () => {
  const refused = await intake(['intake-key', 'rotate'], {});
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('INTAKE_KEY_PASSPHRASE');
  expect(refused.stderr).toContain('INTAKE_KEY_PASSPHRASE_FILE');
});

test('rotation: both keys decrypt during the grace period; afterwards the old one is destroyed and refused', async () => {
  const old = s.intakeFingerprint;
  const rotated = await intake(['intake-key', 'rotate', '--grace-days', '30']);
  expect(rotated.code).toBe(0);
  const fresh = /New intake key ([0-9A-F ]+)\n/.exec(rotated.stdout.toString())![1]!.replace(/ /g, '');
  expect(fresh).not.toBe(old);

  // Mail to the new key is taken at once (the intake looks again when a mail names a key it lacks)…
  const freshKey = (await intake(['intake-key', 'export'])).stdout.toString();
  await s.reporter.importKey(freshKey);
  expect(
    (
      await sendMail(s.smtp.port!, {
        to: SECURITY,
        subject: 'new',
        text: await s.reporter.encrypt('to the new key', [fresh]),
      })
    ).code,
  ).toBe(250);
  // …and mail to the old one still is, during the grace period.
  expect(
    (
      await sendMail(s.smtp.port!, {
        to: SECURITY,
        subject: 'old',
        text: await s.reporter.encrypt('to the old key', [old]),
      })
    ).code,
  ).toBe(250);
  // What is published follows within 30 s; now, when asked to.
  await s.smtp.refreshKeys();
  expect(s.intakeKeys.current().fingerprint).toBe(fresh);
  expect(await (await fetch(`${s.webUrl}/.well-known/security.txt`)).text()).toContain(
    `openpgp4fpr:${fresh.toLowerCase()}`,
  );

  // The grace period ends (moved into the past): the old private key is destroyed, its mail refused.
  await sql`UPDATE intake_keys SET decrypt_until = now() - interval '1 second' WHERE fingerprint = ${old}`.execute(
    s.database.db,
  );
  await s.smtp.refreshKeys();
  const row = await s.database.db
    .selectFrom('intake_keys')
    .select(sql<boolean>`locked_private_key IS NULL`.as('destroyed'))
    .where('fingerprint', '=', old)
    .executeTakeFirstOrThrow();
  expect(row.destroyed).toBe(true);
  const late = await sendMail(s.smtp.port!, {
    to: SECURITY,
    subject: 'late',
    text: await s.reporter.encrypt('too late', [old]),
  });
  expect(late.code).toBe(550);
  expect(late.response).toContain(fresh);
  expect((await intake(['intake-key', 'show'])).stdout.toString()).toContain('retired, private key destroyed');
});

test('import makes an existing gpg key the intake key', async () => {
  const gpg = await createGnupgHome();
  try {
    const run = (...args: string[]) =>
      runOrThrow('gpg', [
        '--homedir',
        gpg.home,
        '--batch',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        'old gpg passphrase',
        ...args,
      ]);
    await run('--quick-gen-key', 'Existing <security@intake.test>', 'ed25519', 'cert', 'never');
    const fpr = (await run('--with-colons', '--list-keys'))
      .toString()
      .split('\n')
      .find((l) => l.startsWith('fpr'))!
      .split(':')[9]!;
    await run('--quick-add-key', fpr, 'cv25519', 'encr', 'never');
    await fs.writeFile(path.join(dir, 'existing.asc'), await run('--armor', '--export-secret-keys', fpr));
    await fs.writeFile(path.join(dir, 'existing.pass'), 'old gpg passphrase\n', { mode: 0o600 });
    const imported = await intake([
      'intake-key',
      'import',
      path.join(dir, 'existing.asc'),
      '--key-passphrase-file',
      path.join(dir, 'existing.pass'),
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout.toString()).toContain(fpr.replace(/(.{4})/g, '$1 ').trim());
    await s.reporter.importKey((await run('--armor', '--export', fpr)).toString());
    expect(
      (
        await sendMail(s.smtp.port!, {
          to: SECURITY,
          subject: 'x',
          text: await s.reporter.encrypt('to the imported key', [fpr]),
        })
      ).code,
    ).toBe(250);
  } finally {
    await gpg.destroy();
  }
});
