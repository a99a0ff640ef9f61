// One source of settings for the server and the CLI: intake.env under the environment; safe defaults for a quick start.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../server/config';
import { describeSetting, readEnvironment } from '../../server/environment';
import { describeKeyAlgorithms } from '../../crypto/keys';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-env-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('readEnvironment', () => {
  test('reads intake.env in the working directory; the environment overrides it', async () => {
    await fs.writeFile(
      path.join(dir, 'intake.env'),
      '# settings\nPUBLIC_URL=https://report.example.org\nMAIL_DOMAIN="example.org"\nPORT=9000\n',
    );
    const environment = readEnvironment({ PORT: '9100' }, dir);
    expect(environment.file).toBe(path.join(dir, 'intake.env'));
    expect(environment.values.PUBLIC_URL).toBe('https://report.example.org');
    expect(environment.values.MAIL_DOMAIN).toBe('example.org');
    expect(environment.values.PORT).toBe('9100');
    expect(environment.sourceOf('PUBLIC_URL')).toBe('file');
    expect(environment.sourceOf('PORT')).toBe('environment');
    expect(environment.sourceOf('SMTP_URL')).toBe('default');
    expect(describeSetting(environment, 'PUBLIC_URL', 'https://report.example.org')).toBe(
      'PUBLIC_URL=https://report.example.org (from intake.env)',
    );
    expect(loadConfig(environment.values, dir).mail.domain).toBe('example.org');
  });

  test('without a file, the environment alone; a named file that is missing is an error', () => {
    const environment = readEnvironment({ PORT: '1' }, dir);
    expect(environment.file).toBeNull();
    expect(environment.values.PORT).toBe('1');
    expect(() => readEnvironment({ INTAKE_ENV_FILE: 'nowhere.env' }, dir)).toThrow(ConfigError);
  });

  test('INTAKE_ENV_FILE names another file; prototype names in it are plain settings', async () => {
    await fs.writeFile(path.join(dir, 'prod.env'), '__proto__=x\nconstructor=y\nPROJECT_NAME=Demo\n');
    const environment = readEnvironment({ INTAKE_ENV_FILE: 'prod.env' }, dir);
    expect(environment.values.PROJECT_NAME).toBe('Demo');
    expect(environment.values.constructor).toBe('y');
    expect(environment.sourceOf('toString')).toBe('default');
    expect(loadConfig(environment.values, dir).projectName).toBe('Demo');
  });
});

describe('where the quick start listens', () => {
  test('with PUBLIC_URL unset or on this machine: loopback only, web and SMTP', () => {
    for (const env of [{}, { PUBLIC_URL: 'http://localhost:8080' }, { PUBLIC_URL: 'http://127.0.0.1:8080' }]) {
      const config = loadConfig(env);
      expect(config.host).toBe('127.0.0.1');
      expect(config.mail.smtpHost).toBe('127.0.0.1');
    }
  });

  test('a public PUBLIC_URL listens on every interface; HOST and SMTP_HOST decide when set', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://report.example.org' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0', SMTP_HOST: '127.0.0.1' }).mail.smtpHost).toBe('127.0.0.1');
  });

  test('MAIL_DOMAIN unset is known, so that the start-up can say so before anything is published', () => {
    expect(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:8080' }).mail).toMatchObject({
      domain: '127.0.0.1',
      domainConfigured: false,
    });
    expect(loadConfig({ MAIL_DOMAIN: 'example.org' }).mail).toMatchObject({
      domain: 'example.org',
      domainConfigured: true,
    });
  });
});

test('key algorithms as people say them, also for rows stored in OpenPGP.js names', () => {
  expect(describeKeyAlgorithms('ed25519Legacy/curve25519Legacy')).toBe('Ed25519 / Curve25519');
  expect(describeKeyAlgorithms('rsa3072/rsa3072')).toBe('RSA-3072 / RSA-3072');
  expect(describeKeyAlgorithms('Ed25519 / Curve25519')).toBe('Ed25519 / Curve25519');
  expect(describeKeyAlgorithms('nistP256/nistP256')).toBe('NIST P-256 / NIST P-256');
});
