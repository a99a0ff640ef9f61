// The OpenPGP Web Key Directory (draft-koch-openpgp-webkey-service): where a key for an address is published.
import { createHash } from 'node:crypto';

const ZBASE32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';

/**
 * The WKD "hu" name of an address's local part: z-base-32 of the SHA-1 of the lower-cased local
 * part (32 characters). SHA-1 here is a naming scheme fixed by the draft, not a security property.
 */
export function wkdHash(localPart: string): string {
  const digest = createHash('sha1').update(localPart.toLowerCase(), 'utf8').digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ZBASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ZBASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The direct-method URL a WKD client fetches for `address`. */
export function wkdDirectUrl(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  return `https://${domain}/.well-known/openpgpkey/hu/${wkdHash(local)}?l=${encodeURIComponent(local)}`;
}
