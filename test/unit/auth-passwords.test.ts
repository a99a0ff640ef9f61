// Password rules (length, confirmation, zxcvbn) and argon2id hashing.
import { parseOptions } from '@node-rs/argon2';
import { loadConfig } from '../../server/config';
import {
  hashPassword,
  needsRehash,
  OWASP_PASSWORD_COST,
  passwordProblems,
  verifyPassword,
} from '../../server/auth/passwords';
import { authSettings } from '../../server/auth/settings';

const known = ['Alice SRT', 'alice@example.org', 'Kmesh confidential reports'];
const cheap = { memoryKiB: 1024, passes: 1, parallelism: 1 };

describe('passwordProblems', () => {
  test('accepts a long passphrase of unrelated words', () => {
    expect(passwordProblems('quartz lantern orbit meadow 71', 'quartz lantern orbit meadow 71', known)).toEqual([]);
  });

  test('refuses short passwords with the count, whatever their strength', () => {
    expect(passwordProblems('Xq9!vT2#', 'Xq9!vT2#', known)).toEqual([
      expect.stringMatching(/at least 12 characters \(yours has 8\)/),
    ]);
  });

  test('refuses common passwords, keyboard walks and the member’s own name or e-mail, with zxcvbn’s advice', () => {
    for (const weak of ['password1234', 'qwertyuiop123', 'alice@example.org', 'kmeshkmeshkmesh', '111111111111']) {
      const problems = passwordProblems(weak, weak, known);
      expect(problems).toEqual([expect.stringMatching(/^This password is too easy to guess\./)]);
    }
  });

  test('refuses two different entries', () => {
    expect(passwordProblems('quartz lantern orbit meadow 71', 'quartz lantern orbit meadow 72', known)).toEqual([
      expect.stringMatching(/not the same/),
    ]);
  });

  test('refuses more than 256 characters', () => {
    const long = 'x'.repeat(257);
    expect(passwordProblems(long, long, known)).toEqual([expect.stringMatching(/at most 256/)]);
  });
});

describe('hashing', () => {
  test('argon2id with the given cost; verify tells right from wrong', async () => {
    const hash = await hashPassword('quartz lantern orbit meadow 71', cheap);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await verifyPassword(hash, 'quartz lantern orbit meadow 71')).toBe(true);
    expect(await verifyPassword(hash, 'quartz lantern orbit meadow 72')).toBe(false);
  });

  test('production cost is OWASP’s (19 MiB, 2 passes, 1 lane), and weaker hashes are marked for rehashing', async () => {
    const settings = authSettings(loadConfig({}));
    expect(settings.passwordCost).toEqual(OWASP_PASSWORD_COST);
    expect(OWASP_PASSWORD_COST).toEqual({ memoryKiB: 19456, passes: 2, parallelism: 1 });
    const hash = await hashPassword('quartz lantern orbit meadow 71', OWASP_PASSWORD_COST);
    expect(parseOptions(hash)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(needsRehash(hash, OWASP_PASSWORD_COST)).toBe(false);
    expect(needsRehash(await hashPassword('x', cheap), OWASP_PASSWORD_COST)).toBe(true);
  });
});

describe('configuration', () => {
  test('defaults: 30 idle minutes, 12 hours, 5 failures, 15 minutes, 20 failures per client', () => {
    expect(loadConfig({}).auth).toEqual({
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      maxFailures: 5,
      lockoutMinutes: 15,
      clientFailureLimit: 20,
    });
  });

  test('every bad value is reported at once', () => {
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0', SIGNIN_MAX_FAILURES: 'many' })).toThrow(
      /SESSION_IDLE_MINUTES[\s\S]*SIGNIN_MAX_FAILURES/,
    );
  });
});
