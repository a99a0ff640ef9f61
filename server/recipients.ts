import { readKey, type PublicKey } from 'openpgp';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database';
import { listMembersWithKeys, type MemberWithKey } from '../db/members.queries';
import { messageConfig } from '../crypto/openpgp-config';

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

async function parseOnce(member: MemberWithKey): Promise<{ publicKey: PublicKey; keyIds: Set<string> }> {
  const cacheKey = `${member.fingerprint}:${member.armoredKey.length}:${member.armoredKey.slice(-64)}`;
  let entry = parsed.get(cacheKey);
  if (!entry) {
    const publicKey = (await readKey({ armoredKey: member.armoredKey, config: messageConfig })) as PublicKey;
    entry = { publicKey, keyIds: new Set(publicKey.getKeyIDs().map((id) => id.toHex())) };
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(cacheKey, entry);
  }
  return entry;
}
