import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { listMembersWithKnownKeys, memberListVersion, type MemberWithKey } from '../../db/members.queries';
import { keyIdsOf, readPublicKey, type PublicKey } from '../../crypto/keys';

/** A member who can be routed to, with its parsed public key and every key ID a message to it may name. */
export interface Recipient extends MemberWithKey {
  publicKey: PublicKey;
  keyIds: Set<string>;
  /** The member list's version when this list was read: a new case's statement checks it is still current. */
  listVersion: string;
}

// Parsed keys by key row (member_keys.id, whose text never changes): parsing is the costly part of
// routing, and with the text at hand a fresh read of the member list need not carry every key again.
const parsed = new Map<string, { armoredKey: string; publicKey: PublicKey; keyIds: Set<string> }>();

/** Every member on file, ready to encrypt to. */
export async function loadRecipients(db: Kysely<Database>): Promise<Recipient[]> {
  // The version first: a change committed between the two reads makes the list look older, never newer.
  const listVersion = await memberListVersion(db);
  const members = await listMembersWithKnownKeys(db, (memberKeyId) => parsed.get(memberKeyId)?.armoredKey);
  return Promise.all(members.map(async (member) => ({ ...member, ...(await parseOnce(member)), listVersion })));
}

// The member list as routing saw it a moment ago, per database. Submissions read it instead of the
// database; the case insert re-checks it (any change of the member list since, counted in
// member_list_version, makes the insert fail, and the submission is routed again from a fresh list),
// so a stale list never misroutes a report.
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
  let entry = parsed.get(member.memberKeyId);
  if (!entry || entry.armoredKey !== member.armoredKey) {
    const publicKey = await readPublicKey(member.armoredKey);
    entry = { armoredKey: member.armoredKey, publicKey, keyIds: keyIdsOf(publicKey) };
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(member.memberKeyId, entry);
  }
  return { publicKey: entry.publicKey, keyIds: entry.keyIds };
}
