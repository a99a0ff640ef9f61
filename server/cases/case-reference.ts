// Case references: PREFIX-YEAR-XXXX-XXXX, eight Crockford base32 characters (40 bits) from the
// CSPRNG. Unordered and unguessable, so a reference tells nobody how many cases exist or which came
// before it (DESIGN §2); in two groups of four so that it reads well over the phone. References made
// before (PREFIX-YEAR-NNNN, numbered) keep working wherever one is typed.
import crypto from 'node:crypto';
import type { CaseKind } from '../../db/database';

/** Crockford's alphabet: no I, L, O or U, so nothing reads as another character. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const PREFIX: Record<CaseKind, string> = { security: 'SEC', coc: 'COC' };

/** What a reference looks like, for the tests and anything that finds one in a text. */
export const REFERENCE_PATTERN = '(?:SEC|COC)-\\d{4}-(?:[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}|\\d{4,})';

/** A new random reference for a case of this kind filed in this year. */
export function newCaseReference(kind: CaseKind, year: number): string {
  const bits = crypto.randomBytes(5).reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
  let body = '';
  for (let shift = 35n; shift >= 0n; shift -= 5n) body += ALPHABET[Number((bits >> shift) & 31n)];
  return `${PREFIX[kind]}-${year}-${body.slice(0, 4)}-${body.slice(4)}`;
}

/**
 * The stored form of a reference as someone typed it, or null when it cannot be one: any case,
 * hyphens and spaces anywhere or nowhere, and Crockford's confusables (I and L for 1, O for 0).
 */
export function parseCaseReference(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]+/g, '');
  const match = /^(SEC|C[O0]C)([0-9OIL]{4})([0-9A-Z]+)$/.exec(compact);
  if (!match) return null;
  const prefix = match[1]!.replace('0', 'O');
  const year = unconfuse(match[2]!);
  const body = unconfuse(match[3]!);
  if (body.length === 8 && [...body].every((c) => ALPHABET.includes(c)))
    return `${prefix}-${year}-${body.slice(0, 4)}-${body.slice(4)}`;
  // A numbered reference from before: digits only, at least four.
  if (/^\d{4,}$/.test(body)) return `${prefix}-${year}-${body}`;
  return null;
}

function unconfuse(text: string): string {
  return text.replace(/[IL]/g, '1').replace(/O/g, '0');
}
