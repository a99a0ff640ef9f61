// The audit chain's hash: one canonical, unambiguous encoding of a row, shared by append and verify.
// Changing anything here breaks every existing chain: add a new version instead of editing this one.
import { createHash } from 'node:crypto';

/** Separates this hash from any other SHA-256 use and names the encoding version. */
const CHAIN_DOMAIN = 'intake-audit-chain-v1';

/** A JSON value as it survives a round trip through jsonb. */
export type AuditJson = string | number | boolean | null | AuditJson[] | { [key: string]: AuditJson };

/** Exactly the fields a row's hash covers, in the form the database gives them back. */
export interface ChainedFields {
  /** The decimal id (int8). */
  id: string;
  /** Lower-case UUIDs, as PostgreSQL prints them. */
  caseId: string | null;
  actorMemberId: string | null;
  actorLabel: string;
  action: string;
  details: Record<string, AuditJson>;
  /** UTC with microseconds, as PostgreSQL stores them: 2026-11-24T09:30:00.123456Z. */
  createdAt: string;
  /** The previous row's hash; null only for the first row. */
  prevHash: Buffer | null;
}

/**
 * SHA-256 over each field as a presence byte (0 = NULL, 1 = value), then a 4-byte big-endian length
 * and the bytes: no field can bleed into the next, and NULL differs from the empty string.
 */
export function hashAuditRow(row: ChainedFields): Buffer {
  const fields: (string | Uint8Array | null)[] = [
    CHAIN_DOMAIN,
    row.prevHash,
    row.id,
    row.caseId,
    row.actorMemberId,
    row.actorLabel,
    row.action,
    canonicalJson(row.details),
    row.createdAt,
  ];
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    if (field === null) {
      parts.push(Uint8Array.of(0));
      continue;
    }
    const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : field;
    const header = Buffer.alloc(5);
    header[0] = 1;
    header.writeUInt32BE(bytes.length, 1);
    parts.push(header, bytes);
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest();
}

/**
 * JSON with object keys sorted (by UTF-16 code units) and no whitespace. Numbers use JavaScript's
 * shortest round-trip form, which jsonb keeps digit for digit, so the value read back hashes the same.
 */
export function canonicalJson(value: AuditJson): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('Audit details cannot hold NaN or Infinity.');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
}

/** Key names that would mean content or a secret is about to be logged. */
const FORBIDDEN_KEYS = new Set([
  'body',
  'content',
  'plaintext',
  'text',
  'message',
  'armored',
  'receipt',
  'passphrase',
  'password',
  'secret',
  'privatekey',
  'email',
  'name',
  'title',
]);
// Room for the longest metadata a case keeps in the clear (affected versions: 500 characters).
const MAX_STRING = 512;
const MAX_ITEMS = 64;
const MAX_DEPTH = 4;
const MAX_JSON = 4096;

/**
 * Checks that details are small metadata in plain JSON and returns them as they will be stored. A
 * guard, not a proof: long strings, content-like keys, and values jsonb would change are refused.
 */
export function checkAuditDetails(details: Record<string, unknown>): Record<string, AuditJson> {
  const checked = checkValue(details, 'details', 0);
  if (checked === null || typeof checked !== 'object' || Array.isArray(checked))
    throw new TypeError('Audit details must be an object.');
  if (canonicalJson(checked).length > MAX_JSON)
    throw new TypeError(`Audit details exceed ${MAX_JSON} characters: log references, not content.`);
  return checked;
}

function checkValue(value: unknown, path: string, depth: number): AuditJson {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Audit ${path} must be a finite number.`);
    return value;
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING)
      throw new TypeError(`Audit ${path} is longer than ${MAX_STRING} characters: log references, not content.`);
    if (Buffer.from(value, 'utf8').toString('utf8') !== value || value.includes('\u0000'))
      throw new TypeError(`Audit ${path} is not text jsonb can store unchanged.`);
    return value;
  }
  if (depth >= MAX_DEPTH) throw new TypeError(`Audit ${path} nests too deeply.`);
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) throw new TypeError(`Audit ${path} has more than ${MAX_ITEMS} items.`);
    return value.map((item, index) => checkValue(item, `${path}[${index}]`, depth + 1));
  }
  const prototype = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype !== Object.prototype && prototype !== null)
    throw new TypeError(`Audit ${path} must be plain JSON (a string, number, boolean, null, array or object).`);
  // No prototype: a key named "__proto__" stays a key (and is hashed and stored as one).
  const result = Object.create(null) as Record<string, AuditJson>;
  for (const [key, item] of Object.entries(value as object)) {
    if (FORBIDDEN_KEYS.has(key.toLowerCase().replace(/[-_]/g, '')))
      throw new TypeError(`Audit ${path}.${key}: the audit log holds metadata, never content or personal data.`);
    result[key] = checkValue(item, `${path}.${key}`, depth + 1);
  }
  return result;
}
