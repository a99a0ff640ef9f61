// The bearer secrets of signing in: link and session tokens, recovery codes, and how they are hashed.
import crypto from 'node:crypto';

/** A new bearer token: 256 random bits, base64url, 43 characters. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Whether a value could be a token from newToken(); anything else is refused before a database lookup. */
export function isTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

/**
 * SHA-256, for secrets with at least 80 random bits (tokens, recovery codes): with that much entropy a
 * slow hash adds nothing, and a fast one lets the database find the row by the hash alone.
 */
export function sha256(value: string): Buffer {
  return crypto.createHash('sha256').update(value, 'utf8').digest();
}

/** Hex of the session token's hash: names a session (CSRF binding, "this session") without being its secret. */
export function sessionHandle(idHash: Buffer): string {
  return idHash.toString('hex');
}

/** The throttle key of an e-mail address as typed: the same for "Alice@X.org " and "alice@x.org". */
export function accountHash(email: string): Buffer {
  return sha256(`sign-in:${email.trim().toLowerCase()}`);
}

/**
 * The throttle key of one client trying one account. `client` is already a keyed hash of the
 * client's address (see clientIdentity), so that no address can be read back from the database.
 */
export function accountClientHash(account: Buffer, client: string): Buffer {
  return sha256(`sign-in-client:${account.toString('hex')}:${client}`);
}

// Crockford's base32: no i, l, o or u, so codes survive being read aloud or copied by hand.
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const RECOVERY_CODE_CHARS = 16; // 80 bits
export const RECOVERY_CODE_COUNT = 10;

/** A recovery code, as shown to the member: four groups of four characters (80 random bits). */
export function newRecoveryCode(): string {
  // 256 is a multiple of 32, so taking each byte modulo 32 is unbiased.
  const chars = [...crypto.randomBytes(RECOVERY_CODE_CHARS)].map((byte) => RECOVERY_ALPHABET[byte % 32]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/** A code as typed, reduced to its 16 characters (case, spaces and dashes ignored; o→0, i/l→1), or null if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const cleaned = input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
  if (cleaned.length !== RECOVERY_CODE_CHARS) return null;
  for (const char of cleaned) if (!RECOVERY_ALPHABET.includes(char)) return null;
  return cleaned;
}

export function recoveryCodeHash(normalized: string): Buffer {
  return sha256(`recovery:${normalized}`);
}

/** A six-digit authenticator code as typed (spaces allowed), or null. */
export function normalizeTotpCode(input: string): string | null {
  const digits = input.replace(/\s/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * Where to go after signing in: a path on this site only. Anything that a browser could read as
 * another origin ("//host", "/\host", a scheme) falls back to the dashboard.
 */
export function safeNextPath(next: unknown, fallback = '/dashboard'): string {
  if (typeof next !== 'string' || next.length > 512) return fallback;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(next) || next.includes('\\')) return fallback;
  if (/^\/(signin|signout|invite)(\/|\?|$)/.test(next)) return fallback;
  return next;
}
