// TOTP (RFC 6238, the defaults every authenticator app knows: SHA-1, 6 digits, 30 seconds).
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** One time step either side of now: a phone clock a little off, or a code typed as it changes. */
const TOLERANCE_SECONDS = 30;

/** A new 160-bit secret, base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** Checked when there is no account, so that a wrong e-mail costs the same time as a wrong code. */
export const DUMMY_TOTP_SECRET = newTotpSecret();

/** The otpauth:// URI an authenticator app scans. */
export function totpUri(secret: string, issuer: string, account: string): string {
  return generateURI({ issuer, label: account, secret });
}

/**
 * The URI as a QR code in inline SVG (our CSP forbids data: images and inline script, not inline
 * SVG). The SVG is made by the qrcode library from our own URI, so it is safe to insert as markup.
 */
export async function totpQrSvg(uri: string, label: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const safeLabel = label.replace(/[<>&"]/g, '');
  return svg.replace('<svg ', `<svg class="qr" width="220" height="220" role="img" aria-label="${safeLabel}" `);
}

/**
 * The time step of `code` if it is valid at `now` and later than `afterStep` (the last step this
 * member used), or null. Comparison is constant-time (otplib). Refusing steps already used makes a
 * code that was seen over someone's shoulder, or replayed, worthless.
 */
export async function acceptedTotpStep(
  secret: string,
  code: string,
  now: Date,
  afterStep: number | null,
): Promise<number | null> {
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
