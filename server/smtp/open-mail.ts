// Opens a received message in memory: parses its MIME, decrypts PGP/MIME (RFC 3156) and inline-PGP
// parts with the intake keys, and hands back what the report document is made of. Nothing is
// written anywhere; the caller encrypts the result to the readers and drops it.
import { simpleParser, type ParsedMail } from 'mailparser';
import type { PrivateKey } from '../../crypto/keys';
import { DecryptionError, MalformedMessageError } from '../../crypto/errors';
import { decryptForIntake, NotEncryptedMessageError, NotForIntakeKeyError } from '../../crypto/intake-decrypt';
import { pgpMimeShape } from './pgp-mime-part';
import { unusable } from './refusal';

export type MailEncryption = 'none' | 'pgp-mime' | 'inline-pgp';

export interface MailAttachment {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

export interface OpenedMail {
  /** The message as the author's mail program shows it (decrypted), parsed. */
  parsed: ParsedMail;
  /** The body as text, inline OpenPGP blocks replaced by their plaintext. */
  text: string;
  attachments: MailAttachment[];
  /** The whole message after decryption (plain or PGP/MIME); null for inline PGP, whose raw form is still ciphertext. */
  original: Buffer | null;
  encryption: MailEncryption;
  /** Fingerprints of the intake keys that decrypted something. */
  decryptedWith: string[];
  /** Public keys the sender included (attached, Autocrypt), unchecked: armored text or binary. */
  senderKeys: (string | Uint8Array)[];
}

/** The header values the acknowledgement's RFC 3834 rules need, as plain strings. */
export function autoReplyFacts(parsed: ParsedMail): {
  autoSubmitted: string;
  precedence: string;
  list: boolean;
  autoResponseSuppress: string;
} {
  const header = (name: string) =>
    String(parsed.headers.get(name) ?? '')
      .trim()
      .toLowerCase();
  return {
    autoSubmitted: header('auto-submitted'),
    precedence: header('precedence'),
    // mailparser gathers List-* headers under "list".
    list: parsed.headers.has('list') || parsed.headers.has('list-id'),
    autoResponseSuppress: header('x-auto-response-suppress'),
  };
}

/** More parts than this is not a report but an attack on the parser or the readers' patience. */
export const MAX_PARTS = 100;
const ARMORED_BLOCK = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g;

export async function openMail(raw: Buffer, keys: readonly PrivateKey[]): Promise<OpenedMail> {
  if (raw.length === 0 || raw.toString('latin1').trim() === '') throw unusable('The message is empty.');
  if (raw.includes(0)) throw unusable('The message contains NUL bytes, which Internet mail may not carry (RFC 5322).');

  let parsed: ParsedMail;
  let original: Buffer | null = raw;
  let encryption: MailEncryption = 'none';
  const decryptedWith: string[] = [];

  const shape = pgpMimeShape(raw);
  if (shape) {
    // The usual PGP/MIME message: decrypt its one encrypted part without parsing the ciphertext as MIME.
    const inner = (await decryptPart(shape.encrypted, keys, 'The encrypted part'))!;
    decryptedWith.push(inner.decryptedWith);
    original = joinHeaders(raw, Buffer.from(inner.data));
    parsed = await parse(original);
    encryption = 'pgp-mime';
  } else {
    parsed = await parse(raw);
    const type = parsed.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
    if (type?.value === 'application/pkcs7-mime' || type?.value === 'application/x-pkcs7-mime') {
      throw new NotForIntakeKeyError([], 'The message is encrypted with S/MIME, which we do not read.');
    }
    if (type?.value === 'multipart/encrypted') {
      // An unusual shape (more parts, another protocol): the general parser finds the encrypted part.
      if (type.params?.protocol?.toLowerCase() !== 'application/pgp-encrypted')
        throw unusable('The message is multipart/encrypted with a protocol we do not read.');
      const part = parsed.attachments.find((a) => a.contentType !== 'application/pgp-encrypted');
      if (!part) throw unusable('The PGP/MIME message has no encrypted part (RFC 3156).');
      const inner = (await decryptPart(part.content, keys, 'The encrypted part'))!;
      decryptedWith.push(inner.decryptedWith);
      original = joinHeaders(raw, Buffer.from(inner.data));
      parsed = await parse(original);
      encryption = 'pgp-mime';
    }
  }

  let text = parsed.text ?? '';
  const blocks = text.match(ARMORED_BLOCK) ?? [];
  for (const block of blocks) {
    const plain = await decryptPart(block, keys, 'An OpenPGP block in the message', true);
    if (!plain) continue;
    decryptedWith.push(plain.decryptedWith);
    const decrypted = `----- decrypted on arrival (inline OpenPGP) -----\n${Buffer.from(plain.data).toString('utf8')}\n----- end of decrypted text -----`;
    text = text.replace(block, () => decrypted); // a function: "$&" in the plaintext is not a pattern
  }

  const senderKeys: (string | Uint8Array)[] = [];
  const autocrypt = parsed.headers.get('autocrypt');
  const keydata = typeof autocrypt === 'string' ? /keydata=([A-Za-z0-9+/=\s]+)/.exec(autocrypt)?.[1] : undefined;
  if (keydata) senderKeys.push(Buffer.from(keydata.replace(/\s+/g, ''), 'base64'));

  if (parsed.attachments.length > MAX_PARTS) throw unusable(`The message has more than ${MAX_PARTS} parts.`);
  const attachments: MailAttachment[] = [];
  for (const [index, attachment] of parsed.attachments.entries()) {
    let data: Uint8Array = attachment.content;
    let filename =
      attachment.filename || `attachment-${index + 1}${attachment.contentType === 'message/rfc822' ? '.eml' : ''}`;
    const head = attachment.content.subarray(0, 64).toString('latin1');
    if (attachment.contentType === 'application/pgp-keys' || head.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
      senderKeys.push(attachment.content.toString('utf8'));
    } else if (
      head.startsWith('-----BEGIN PGP MESSAGE-----') ||
      (/\.(pgp|gpg)$/i.test(filename) && (attachment.content[0] ?? 0) & 0x80)
    ) {
      // Inline-PGP attachments (each file encrypted on its own); one not for us stays as it came.
      const plain = await decryptForIntake({
        message: head.startsWith('-----') ? attachment.content.toString('latin1') : attachment.content,
        keys,
      }).catch(() => null);
      if (plain) {
        decryptedWith.push(plain.decryptedWith);
        data = plain.data;
        filename = plain.filename || filename.replace(/\.(pgp|gpg|asc)$/i, '');
      }
    }
    attachments.push({ filename, contentType: attachment.contentType, data });
  }

  if (encryption === 'none' && decryptedWith.length > 0) {
    encryption = 'inline-pgp';
    original = null;
  }
  return { parsed, text, attachments, original, encryption, decryptedWith: [...new Set(decryptedWith)], senderKeys };
}

async function parse(raw: Buffer): Promise<ParsedMail> {
  try {
    return await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch (cause) {
    // mailparser refuses, for example, absurdly deep nesting ("Max allowed child nodes exceeded").
    throw unusable(`The message's MIME structure could not be read (${(cause as Error).message}).`, cause);
  }
}

async function decryptPart(data: Uint8Array | string, keys: readonly PrivateKey[], what: string, allowPlain = false) {
  const message =
    typeof data === 'string' || data.subarray(0, 40).toString().includes('-----BEGIN PGP') ? data.toString() : data;
  try {
    return await decryptForIntake({ message, keys });
  } catch (error) {
    if (error instanceof NotForIntakeKeyError) throw error;
    if (allowPlain && error instanceof NotEncryptedMessageError) return null;
    if (error instanceof MalformedMessageError || error instanceof DecryptionError) {
      throw unusable(`${what} is damaged or truncated: ${error.message}`, error);
    }
    throw error;
  }
}

/**
 * The outer message's headers (its transport trace, From, To…) joined to the decrypted MIME entity,
 * as the author's mail program shows it. The outer content headers describe the ciphertext and go;
 * headers the entity repeats (RFC "protected headers": Subject…) are taken from the entity.
 */
function joinHeaders(raw: Buffer, entity: Buffer): Buffer {
  const text = raw.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  const headerText = end ? text.slice(0, end.index) : text;
  const fields = headerText.split(/\r?\n(?![ \t])/);
  const entityText = entity.toString('latin1');
  const entityEnd = /\r?\n\r?\n/.exec(entityText);
  const entityNames = new Set(
    (entityEnd ? entityText.slice(0, entityEnd.index) : '')
      .split(/\r?\n(?![ \t])/)
      .map((f) => f.split(':')[0]!.trim().toLowerCase()),
  );
  const kept = fields.filter((field) => {
    const name = field.split(':')[0]!.trim().toLowerCase();
    return !name.startsWith('content-') && !entityNames.has(name);
  });
  return Buffer.concat([Buffer.from(`${kept.join('\r\n')}\r\n`, 'latin1'), entity]);
}
