// The encrypted part of an RFC 3156 PGP/MIME message, found without a full MIME parse: the outer
// message is only a control part and one armored block, and parsing it whole (streaming the
// ciphertext through the MIME parser) costs as much as decrypting it. Anything unexpected returns
// null, and the caller parses the message the general way.

export interface PgpMimeShape {
  /** The raw header section of the outer message (without the blank line). */
  headers: string;
  /** The armored (or binary) OpenPGP message of the second part, decoded from its transfer encoding. */
  encrypted: Buffer;
}

/**
 * Splits `raw` if its top-level Content-Type is multipart/encrypted with the PGP protocol; null if
 * it is not, or if its structure is not the plain two-part shape RFC 3156 §4 describes.
 */
export function pgpMimeShape(raw: Buffer): PgpMimeShape | null {
  const text = raw.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  if (!end) return null;
  const headers = text.slice(0, end.index);
  const type = headerValue(headers, 'content-type');
  if (!type || !/^\s*multipart\/encrypted\s*;/i.test(type)) return null;
  if (!/protocol\s*=\s*"?application\/pgp-encrypted"?/i.test(type)) return null;
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(type);
  const delimiter = `--${boundary?.[1] ?? boundary?.[2] ?? ''}`;
  if (delimiter === '--') return null;

  const lines = text.slice(end.index + end[0].length).split(/\r?\n/);
  const parts: string[][] = [];
  let current: string[] | null = null;
  for (const line of lines) {
    const bare = line.trimEnd();
    if (bare === delimiter || bare === `${delimiter}--`) {
      if (current) parts.push(current);
      if (bare.endsWith('--') && bare !== delimiter) {
        current = null;
        break;
      }
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  if (current !== null || parts.length !== 2) return null;

  const second = parts[1]!;
  const blank = second.indexOf('');
  if (blank < 0) return null;
  const partHeaders = second.slice(0, blank).join('\r\n');
  const body = second.slice(blank + 1).join('\r\n');
  const encoding = (headerValue(partHeaders, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  if (encoding === 'base64') return { headers, encrypted: Buffer.from(body.replace(/\s+/g, ''), 'base64') };
  if (encoding === '7bit' || encoding === '8bit' || encoding === 'binary')
    return { headers, encrypted: Buffer.from(body, 'latin1') };
  return null;
}

/** One header's unfolded value from a raw header section, or undefined. */
function headerValue(section: string, name: string): string | undefined {
  for (const field of section.split(/\r?\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon > 0 && field.slice(0, colon).trim().toLowerCase() === name)
      return field
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
  }
  return undefined;
}
