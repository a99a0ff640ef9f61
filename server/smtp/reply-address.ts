// A case's reply address: the intake address with a random token after a "+" (RFC 5233
// subaddressing), security+TOKEN@domain. The acknowledgement carries it in Reply-To, so that the
// reporter's answer lands on their case instead of opening a new one. Only the token's SHA-256 is
// stored; the address takes mail while its case is open, and for a while after it was closed.
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { findReplyAddressCase, insertReplyAddress, type ReplyAddressCase } from '../../db/reply-addresses.queries';
import { sha256 } from '../auth/secrets';
import { stateOf } from '../cases/workflow';

// Crockford's base32 in lower case: survives mail systems that fold the case of local parts.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 26 characters of 5 bits: 130 random bits. */
const TOKEN_CHARS = 26;
const TOKEN = new RegExp(`^[${ALPHABET}]{${TOKEN_CHARS}}$`);

/** A new reply address for a case (it exists only in this return value) and the hash that records it. */
export function newReplyAddress(intakeAddress: string): { address: string; tokenHash: Buffer } {
  // 256 is a multiple of 32, so taking each byte modulo 32 is unbiased.
  const token = [...crypto.randomBytes(TOKEN_CHARS)].map((byte) => ALPHABET[byte % 32]).join('');
  const at = intakeAddress.lastIndexOf('@');
  return { address: `${intakeAddress.slice(0, at)}+${token}${intakeAddress.slice(at)}`, tokenHash: tokenHash(token) };
}

/** Makes and records a new reply address for an existing case; returns it. */
export async function createReplyAddress(db: Kysely<Database>, caseId: string, intakeAddress: string): Promise<string> {
  const { address, tokenHash } = newReplyAddress(intakeAddress);
  await insertReplyAddress(db, caseId, tokenHash);
  return address;
}

/** Splits local+token@domain into the intake address it extends and the token; null for any other shape. */
export function parseReplyAddress(address: string): { intakeAddress: string; token: string } | null {
  const lower = address.trim().toLowerCase();
  const match = /^([^@+]+)\+([^@]+)(@[^@]+)$/.exec(lower);
  if (!match || !TOKEN.test(match[2]!)) return null;
  return { intakeAddress: `${match[1]}${match[3]}`, token: match[2]! };
}

/**
 * The case a reply address leads to, if it still takes mail: the case is open, or was closed less
 * than `daysAfterClose` days ago (a case closed as spam takes none). Undefined otherwise, exactly
 * as for a token that never existed.
 */
export async function caseForReplyToken(
  db: Kysely<Database>,
  token: string,
  daysAfterClose: number,
  now = new Date(),
): Promise<ReplyAddressCase | undefined> {
  const found = await findReplyAddressCase(db, tokenHash(token));
  if (!found || !stateOf(found.kind, found.status).terminal) return found;
  if (found.status === 'spam') return undefined;
  return now.getTime() - found.updatedAt.getTime() < daysAfterClose * 86_400_000 ? found : undefined;
}

function tokenHash(token: string): Buffer {
  return sha256(`reply-address:${token}`);
}
