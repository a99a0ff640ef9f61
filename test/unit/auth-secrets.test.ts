// Tokens, recovery codes and the post-sign-in redirect: formats, normalization, and what is refused.
import {
  accountHash,
  isTokenShaped,
  newRecoveryCode,
  newToken,
  normalizeRecoveryCode,
  normalizeTotpCode,
  recoveryCodeHash,
  safeNextPath,
} from '../../server/auth/secrets';

describe('tokens', () => {
  test('256 random bits in 43 base64url characters, never the same twice', () => {
    const tokens = new Set(Array.from({ length: 200 }, newToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(isTokenShaped(token)).toBe(true);
  });

  test('anything else is not token-shaped, so it never reaches the database', () => {
    for (const value of [
      undefined,
      null,
      42,
      '',
      'a'.repeat(42),
      'a'.repeat(44),
      `${'a'.repeat(42)}=`,
      `${'a'.repeat(42)}/`,
    ]) {
      expect(isTokenShaped(value)).toBe(false);
    }
  });
});

describe('recovery codes', () => {
  test('four groups of four Crockford base32 characters (80 bits), without i, l, o or u', () => {
    for (let i = 0; i < 200; i++)
      expect(newRecoveryCode()).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
  });

  test('typed in any case, with spaces or without dashes, and with o/i/l for 0/1, they hash the same', () => {
    const code = 'ab01-cd23-ef45-gh67';
    const expected = recoveryCodeHash(normalizeRecoveryCode(code)!);
    for (const typed of [
      'AB01CD23EF45GH67',
      ' ab01 cd23 ef45 gh67 ',
      'abo1-cdz3-ef45-gh67'.replace('z', '2'),
      'abOl-cd23-ef45-gh67',
    ]) {
      expect(recoveryCodeHash(normalizeRecoveryCode(typed)!)).toEqual(expected);
    }
  });

  test('wrong lengths and foreign characters are not codes', () => {
    for (const typed of ['ab01-cd23-ef45', 'ab01-cd23-ef45-gh67-x', 'ab01-cd23-ef45-gh6u', '123456'])
      expect(normalizeRecoveryCode(typed)).toBeNull();
  });
});

test('TOTP codes: six digits, spaces ignored', () => {
  expect(normalizeTotpCode(' 123 456 ')).toBe('123456');
  for (const typed of ['12345', '1234567', '12345a', '']) expect(normalizeTotpCode(typed)).toBeNull();
});

test('the throttle key ignores case and surrounding spaces of the e-mail', () => {
  expect(accountHash(' Alice@Example.org ')).toEqual(accountHash('alice@example.org'));
  expect(accountHash('alice@example.org')).not.toEqual(accountHash('bob@example.org'));
});

describe('safeNextPath', () => {
  test('keeps paths of this site', () => {
    for (const path of ['/dashboard', '/dashboard/cases/SEC-2026-0001?tab=comments#m2', '/account'])
      expect(safeNextPath(path)).toBe(path);
  });

  test('refuses anything a browser could take to another origin, and the auth pages themselves', () => {
    const refused = [
      undefined,
      ['/a'],
      '',
      'dashboard',
      '//evil.example',
      '/\\evil.example',
      '/dash\\board',
      'https://evil.example/',
      'javascript:alert(1)',
      '/dash board',
      '/dash\nboard',
      `/${'a'.repeat(600)}`,
      '/signin',
      '/signout?x',
      '/invite/abc',
    ];
    for (const next of refused) expect(safeNextPath(next)).toBe('/dashboard');
  });
});
