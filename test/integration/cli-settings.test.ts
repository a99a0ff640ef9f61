// The CLI, run from "another terminal", sees the server's settings: intake.env under the environment.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIntakeKeyIfNone } from '../../server/intake-key/intake-keys';
import { publicKeyUserIds } from '../../crypto/keys';
import { submitPlaintextReport } from '../../server/intake/reports';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixtureKey, testArgon2Cost, FIXTURE_KEYS_DIR } from '../helpers/keys';
import { runIntakeCli } from '../helpers/cli';
import type { ProcessResult } from '../helpers/run-process';

const PASSPHRASE = 'a passphrase for the intake key';
let t: TestDatabase;
let cwd: string;

beforeAll(async () => {
  t = await createTestDatabase();
  cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-cli-settings-'));
  await fs.writeFile(
    path.join(cwd, 'intake.env'),
    [
      `DATABASE_URL=${t.url}`,
      `DATA_DIR=${path.join(cwd, 'data')}`,
      'PUBLIC_URL=https://report.example.org',
      'MAIL_DOMAIN=example.org',
      'SMTP_URL=smtp://relay-user:relay-secret@127.0.0.1:1',
      `INTAKE_KEY_PASSPHRASE="${PASSPHRASE}"`,
    ].join('\n'),
  );
});

afterAll(async () => {
  await t.destroy();
  await fs.rm(cwd, { recursive: true, force: true });
});

/** The CLI with none of the settings in its environment: they come from intake.env in its working directory. */
function intake(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  const inherited = { ...process.env };
  for (const name of [
    'DATABASE_URL',
    'DATA_DIR',
    'PUBLIC_URL',
    'MAIL_DOMAIN',
    'SMTP_URL',
    'INTAKE_KEY_PASSPHRASE',
    'INTAKE_ENV_FILE',
  ])
    delete inherited[name];
  return runIntakeCli(args, env, { cwd, env: inherited });
}

test('member add takes the role in any case; invite links use PUBLIC_URL from intake.env and say so', async () => {
  const alice = fixtureKey('alice');
  const added = await intake([
    'member',
    'add',
    '--name',
    'Alice',
    '--email',
    alice.email,
    '--role',
    'SRT',
    '--key',
    path.join(FIXTURE_KEYS_DIR, 'alice.pub.asc'),
  ]);
  expect(added.code).toBe(0);
  expect(added.stdout.toString()).toContain('as srt');
  expect(added.stdout.toString()).toContain('(Ed25519 / Curve25519)');

  // No relay for this one (the environment overrides the file), so the link is only printed.
  const invited = await intake(['member', 'invite', alice.email], { SMTP_URL: '' });
  expect(invited.code).toBe(0);
  expect(invited.stdout.toString()).toMatch(/^https:\/\/report\.example\.org\/invite\//);
  expect(invited.stderr).toContain('PUBLIC_URL=https://report.example.org (from intake.env)');
});

test('mail status sees the relay of intake.env without printing its credentials', async () => {
  const status = await intake(['mail', 'status']);
  const out = status.stdout.toString();
  expect(status.code).toBe(0);
  expect(out).toContain('Relay: configured, SMTP_URL=set (from intake.env)');
  expect(out).toContain(`Settings: ${path.join(cwd, 'intake.env')}`);
  expect(out).toContain('security@example.org');
  expect(out + status.stderr).not.toContain('relay-secret');
});

describe('intake-key reissue', () => {
  test('replaces a key made for the wrong domain while nothing has used it, naming the configured addresses', async () => {
    const wrong = await createIntakeKeyIfNone(t.db, {
      identities: [{ name: 'Kmesh security reports', email: 'security@127.0.0.1' }],
      passphrase: PASSPHRASE,
      argon2: testArgon2Cost,
    });
    expect(wrong).not.toBeNull();

    const result = await intake(['intake-key', 'reissue']);
    expect(result.stderr).not.toMatch(/^intake:/m);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toContain('MAIL_DOMAIN=example.org (from intake.env)');

    const keys = await t.db
      .selectFrom('intake_keys')
      .select(['fingerprint', 'public_key', 'retired_at', 'locked_private_key'])
      .execute();
    const old = keys.find((k) => k.fingerprint === wrong)!;
    const active = keys.find((k) => k.retired_at === null)!;
    expect(old.retired_at).not.toBeNull();
    expect(old.locked_private_key).toBeNull();
    expect(await publicKeyUserIds(active.public_key)).toEqual([
      'Kmesh security reports <security@example.org>',
      'Kmesh Code of Conduct reports <conduct@example.org>',
    ]);
  });

  test('is refused once mail has arrived since the key was made (rotate instead), unless forced', async () => {
    await submitPlaintextReport(
      t.db,
      { kind: 'security', involvedIds: [], document: 'by mail\n', attachments: [] },
      { channel: 'email', argon2: testArgon2Cost },
    );
    const refused = await intake(['intake-key', 'reissue']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Mail has arrived since the intake key .* intake-key rotate/);
    expect((await t.db.selectFrom('intake_keys').select('id').execute()).length).toBe(2);

    expect((await intake(['intake-key', 'reissue', '--force'])).code).toBe(0);
    expect((await t.db.selectFrom('intake_keys').select('id').where('retired_at', 'is', null).execute()).length).toBe(
      1,
    );
    expect((await t.db.selectFrom('intake_keys').select('id').execute()).length).toBe(3);
  });
});
