// One-time submission tokens of the report form. Every form has an id in its address, so that going
// back to it after sending finds the same form again (a browser refetches the page and puts the
// typed text back); its token, in a hidden field, binds that id to this browser (a cookie), so the
// address alone, in a history or a proxy's log, is worth nothing. A case records the token's hash in
// the statement that stores it: a reload, a double click or a back-and-resubmit makes one case only.
// Ids carry their expiry and tokens are signed, so the server stores nothing for a form only looked at.
import crypto from 'node:crypto';
import { newToken, sha256 } from '../auth/secrets';

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
  /** A new form id, for the form's address. */
  newFormId(now?: Date): string;
  /** A new browser id, for the cookie tokens are bound to. */
  newBrowserId(): string;
  /** The token of this form in this browser, or null when the id is not ours or has expired. */
  tokenFor(formId: unknown, browserId: string, now?: Date): VerifiedToken | null;
  /** The token's hash and expiry, or null when it is not this browser's, not ours, or expired. */
  verify(token: unknown, browserId: string | undefined, now?: Date): VerifiedToken | null;
  /** Seals a receipt so that only a request that carries the token (and this server) can open it. */
  seal(token: string, receipt: string): Buffer;
  /** Opens a sealed receipt; throws if it was not sealed under this token. */
  unseal(token: string, sealed: Uint8Array): string;
}

const FORM_ID = /^([A-Za-z0-9_-]{32})\.([0-9a-z]{1,12})$/;
const TOKEN = /^([A-Za-z0-9_-]{32}\.[0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

export function submissionTokens(secret: string): SubmissionTokens {
  const mac = (...parts: string[]) => crypto.createHmac('sha256', secret).update(parts.join('\0')).digest();
  const sealKey = (token: string) => mac('submission-seal', token);

  const tokenFor = (formId: unknown, browserId: string, now = new Date()): VerifiedToken | null => {
    const match = typeof formId === 'string' ? FORM_ID.exec(formId) : null;
    if (!match) return null;
    const expiresAt = new Date(parseInt(match[2]!, 36));
    if (!(expiresAt.getTime() > now.getTime())) return null;
    const value = `${formId as string}.${mac('submission-token', formId as string, browserId).toString('base64url')}`;
    return { value, hash: sha256(`submission:${value}`), expiresAt };
  };

  return {
    newFormId: (now = new Date()) =>
      `${crypto.randomBytes(24).toString('base64url')}.${(now.getTime() + TOKEN_LIFETIME_MS).toString(36)}`,
    newBrowserId: newToken,
    tokenFor,
    verify(token, browserId, now = new Date()) {
      const match = typeof token === 'string' ? TOKEN.exec(token) : null;
      if (!match || !browserId) return null;
      const expected = tokenFor(match[1], browserId, now);
      if (!expected || !crypto.timingSafeEqual(Buffer.from(expected.value), Buffer.from(token as string))) return null;
      return expected;
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
