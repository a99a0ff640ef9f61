import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { listMembersWithKeys, type MemberWithKey } from '../../db/members.queries';
import { keyIdsOf, readPublicKey, type PublicKey } from '../../crypto/keys';

/** A member who can be routed to, with its parsed public key and every key ID a message to it may name. */
export interface Recipient extends MemberWithKey {
  publicKey: PublicKey;
  keyIds: Set<string>;
}

// Parsed keys by fingerprint+armor: parsing is the costly part of routing and keys rarely change.
const parsed = new Map<string, { publicKey: PublicKey; keyIds: Set<string> }>();

/** Every member on file, ready to encrypt to. */
export async function loadRecipients(db: Kysely<Database>): Promise<Recipient[]> {
  const members = await listMembersWithKeys(db);
  return Promise.all(members.map(async (member) => ({ ...member, ...(await parseOnce(member)) })));
}

// The member list as routing saw it a moment ago, per database. Submissions read it instead of the
// database; the case insert re-checks it (a removed member or retired key makes the insert fail,
// and the submission is routed again from a fresh list), so a stale list never misroutes a report.
const recent = new WeakMap<Kysely<Database>, { at: number; recipients: Promise<Recipient[]> }>();
export const RECIPIENTS_MAX_AGE_MS = 2_000;

/** loadRecipients, reused for up to RECIPIENTS_MAX_AGE_MS; `fresh` forces a new read. */
export async function recentRecipients(db: Kysely<Database>, fresh = false): Promise<Recipient[]> {
  const cached = recent.get(db);
  if (!fresh && cached && Date.now() - cached.at < RECIPIENTS_MAX_AGE_MS) return cached.recipients;
  const entry = { at: Date.now(), recipients: loadRecipients(db) };
  recent.set(db, entry);
  entry.recipients.catch(() => recent.delete(db));
  return entry.recipients;
}

async function parseOnce(member: MemberWithKey): Promise<{ publicKey: PublicKey; keyIds: Set<string> }> {
  const cacheKey = `${member.fingerprint}:${member.armoredKey.length}:${member.armoredKey.slice(-64)}`;
  let entry = parsed.get(cacheKey);
  if (!entry) {
    const publicKey = await readPublicKey(member.armoredKey);
    entry = { publicKey, keyIds: keyIdsOf(publicKey) };
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(cacheKey, entry);
  }
  return entry;
}
