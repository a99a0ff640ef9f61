// The one check of text from outside (a form, a JSON body, a query string, a CLI argument or file)
// before it reaches a query. PostgreSQL refuses a NUL character, and text that is not valid Unicode
// would be changed on the way in; refused here, each is a clear message instead of a 500.
import { badInput } from './errors';

/** How long a text may be, in characters, by what it is. */
export const TEXT_LIMITS = Object.freeze({
  email: 320,
  name: 200,
  password: 1024,
  code: 64,
  reference: 64,
  /** A line of case metadata kept in the clear (affected versions, a CVSS vector). */
  metadata: 500,
  /** An armored OpenPGP public key (a member's, with its signatures). */
  publicKey: 1024 * 1024,
  /** A reporter's armored key pair: small, made by our own code. */
  reporterKey: 64 * 1024,
});

// In a /u regular expression a surrogate range matches only a surrogate that is not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * What is wrong with a text, as a sentence about `label` ("The e-mail"), or null when it may be
 * stored: no NUL character, no unpaired surrogate (not encodable as UTF-8), at most `maxLength`.
 */
export function textProblem(value: string, label: string, maxLength: number): string | null {
  if (value.includes('\u0000'))
    return `${label} contains a NUL character, which cannot be used. Remove it and try again.`;
  if (LONE_SURROGATE.test(value))
    return `${label} contains a broken character (not valid Unicode). Type it again and try again.`;
  if (value.length > maxLength) return `${label} is longer than ${maxLength} characters.`;
  return null;
}

/** The text itself when it passes textProblem; otherwise a bad-input DomainError saying why. */
export function checkText(value: string, label: string, maxLength: number): string {
  const problem = textProblem(value, label, maxLength);
  if (problem) throw badInput(problem);
  return value;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes (a file's contents) as checked text: refused unless they are valid UTF-8 and pass checkText. */
export function decodeText(bytes: Uint8Array, label: string, maxLength: number): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch (cause) {
    throw badInput(`${label} is not UTF-8 text.`, cause);
  }
  return checkText(text, label, maxLength);
}
