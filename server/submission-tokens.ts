// One-time submission tokens of the report form: a form carries one, a case records its hash in the
// statement that stores it, so a reload, a double click or a back-and-resubmit makes one case only.
// Tokens are signed with the server's secret and carry their expiry, so the server stores nothing
// for a form that is only looked at, and a used token's row can go once the token has expired.
import crypto from 'node:crypto';
import { sha256 } from './auth/secrets';

/** How long a form may stay open before it must be sent again (its text is kept). */
export const TOKEN_LIFETIME_MS = 3 * 24 * 60 * 60_000;
/** How long a no-JavaScript receipt waits, sealed, for its confirmation page to be shown once. */
export const SEAL_LIFETIME_MS = 15 * 60_000;

export interface VerifiedToken {
  /** The token as the form carried it. */
  value: string;
  /** SHA-256 of the token: what the database keeps. */
  hash: Buffer;
  expiresAt: Date;
}

export interface SubmissionTokens {
  issue(now?: Date): string;
  /** The token's hash and expiry, or null when it is not one of ours or has expired. */
  verify(token: unknown, now?: Date): VerifiedToken | null;
  /** Seals a receipt so that only a request that carries the token (and this server) can open it. */
  seal(token: string, receipt: string): Buffer;
  /** Opens a sealed receipt; throws if it was not sealed under this token. */
  unseal(token: string, sealed: Uint8Array): string;
}

const TOKEN_SHAPE = /^([A-Za-z0-9_-]{32})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

export function submissionTokens(secret: string): SubmissionTokens {
  const mac = (label: string, value: string) => crypto.createHmac('sha256', secret).update(`${label}\0${value}`).digest();
  const sealKey = (token: string) => mac('submission-seal', token);

  return {
    issue(now = new Date()) {
      const body = `${crypto.randomBytes(24).toString('base64url')}.${(now.getTime() + TOKEN_LIFETIME_MS).toString(36)}`;
      return `${body}.${mac('submission-token', body).toString('base64url')}`;
    },
    verify(token, now = new Date()) {
      const match = typeof token === 'string' ? TOKEN_SHAPE.exec(token) : null;
      if (!match) return null;
      const expected = mac('submission-token', `${match[1]}.${match[2]}`);
      if (!crypto.timingSafeEqual(expected, Buffer.from(match[3]!, 'base64url'))) return null;
      const expiresAt = new Date(parseInt(match[2]!, 36));
      if (!(expiresAt.getTime() > now.getTime())) return null;
      return { value: token as string, hash: sha256(`submission:${token as string}`), expiresAt };
    },
    seal(token, receipt) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', sealKey(token), iv);
      const sealed = Buffer.concat([cipher.update(receipt, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
    },
    unseal(token, sealed) {
      const data = Buffer.from(sealed);
      const decipher = crypto.createDecipheriv('aes-256-gcm', sealKey(token), data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
