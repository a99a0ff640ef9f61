// The e-mail part of the configuration: defaults, every problem reported at once, and where the
// intake key's passphrase comes from (never printed with the config).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';
import { resolveIntakePassphrase } from '../../server/intake-key/passphrase';
import { DomainError } from '../../server/errors';

test('defaults: addresses at the public host, port 2525, 25 MB, no relay, a generated passphrase under DATA_DIR', () => {
  const config = loadConfig({ PUBLIC_URL: 'https://report.example.org', DATA_DIR: '/srv/intake' });
  const { mail } = config;
  expect(mail).toMatchObject({
    smtpPort: 2525,
    domain: 'report.example.org',
    addresses: { security: ['security@report.example.org'], coc: ['conduct@report.example.org'] },
    maxMessageBytes: 26214400,
    relayUrl: null,
    tls: null,
  });
  expect(config.intakeKey.passphrase).toEqual({ kind: 'generated', path: '/srv/intake/intake-key.passphrase' });
});

test('aliases, MAIL_DOMAIN, SMTP_PORT=off, and a passphrase that stays out of JSON', () => {
  const config = loadConfig({
    MAIL_DOMAIN: 'example.org',
    INTAKE_SECURITY_ADDRESSES: 'Security@example.org, vulns@example.org',
    SMTP_PORT: 'off',
    INTAKE_KEY_PASSPHRASE: 'a long enough passphrase',
    DATABASE_URL: 'postgres://u:p@db/intake',
  });
  const { mail } = config;
  expect(mail.addresses.security).toEqual(['security@example.org', 'vulns@example.org']);
  expect(mail.addresses.coc).toEqual(['conduct@example.org']);
  expect(mail.smtpPort).toBeNull();
  expect(JSON.stringify(config)).not.toContain('a long enough passphrase');
});

test('every mail problem is reported at once', () => {
  let error: unknown;
  try {
    loadConfig({
      INTAKE_SECURITY_ADDRESSES: 'not-an-address',
      INTAKE_CONDUCT_ADDRESSES: 'x@example.org',
      SMTP_TLS_CERT: '/cert.pem',
      SMTP_URL: 'http://relay',
      INTAKE_KEY_PASSPHRASE: 'short',
      SMTP_MAX_BYTES: '10',
      SECURITY_TXT_LANGUAGES: 'en, not a tag',
    });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.join('\n');
  for (const name of [
    'INTAKE_SECURITY_ADDRESSES',
    'SMTP_TLS_CERT',
    'SMTP_URL',
    'INTAKE_KEY_PASSPHRASE',
    'SMTP_MAX_BYTES',
    'SECURITY_TXT_LANGUAGES',
  ])
    expect(problems).toContain(name);
  expect(() =>
    loadConfig({ INTAKE_SECURITY_ADDRESSES: 'a@example.org', INTAKE_CONDUCT_ADDRESSES: 'a@example.org' }),
  ).toThrow(/both kinds/);
  expect(() => loadConfig({ INTAKE_KEY_PASSPHRASE: 'x'.repeat(20), INTAKE_KEY_PASSPHRASE_FILE: '/p' })).toThrow(
    /not both/,
  );
});

describe('the intake key passphrase', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-pass-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  test('generated once, 0600, 256 bits, and read back by later starts', async () => {
    const source = loadConfig({ DATA_DIR: dir }).intakeKey.passphrase;
    const lines: string[] = [];
    const log = {
      info: () => undefined,
      warn: (m: string, f?: Record<string, unknown>) => void lines.push(JSON.stringify({ m, ...f })),
      error: () => undefined,
    };
    const first = await resolveIntakePassphrase(source, log);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const file = path.join(dir, 'intake-key.passphrase');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(lines.join('\n')).toContain(file);
    expect(lines.join('\n')).not.toContain(first);
    expect(await resolveIntakePassphrase(source, log)).toBe(first);
  });

  test('read from INTAKE_KEY_PASSPHRASE_FILE; with DATABASE_URL and none set, a clear refusal', async () => {
    const file = path.join(dir, 'pass');
    await fs.writeFile(file, 'from a file, long enough\n', { mode: 0o600 });
    expect(await resolveIntakePassphrase(loadConfig({ INTAKE_KEY_PASSPHRASE_FILE: file }).intakeKey.passphrase)).toBe(
      'from a file, long enough',
    );
    const missing = await resolveIntakePassphrase(
      loadConfig({ DATABASE_URL: 'postgres://u:p@db/x' }).intakeKey.passphrase,
    ).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(DomainError);
    expect((missing as DomainError).message).toMatch(/INTAKE_KEY_PASSPHRASE .*INTAKE_KEY_PASSPHRASE_FILE/);
  });
});
