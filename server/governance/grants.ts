// Pending grants and their fulfilment (issue 10 §1). The server works out who lacks a session-key
// packet for which message; a reader's browser re-wraps its own packets for them (crypto/
// session-key-grant.ts) and posts only the new packets, which are stored after checking that the
// grantee is eligible now and that each packet is one PKESK addressed to the grantee's current key.
// The server cannot see what a packet wraps: the grantee's browser checks, and reports a failure.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import {
  grantorPackets,
  insertGrantedPackets,
  lockMemberGrantee,
  lockWaitingReferralMessages,
  messagesOfCase,
  pendingGrants,
  readCasesWithPendingGrants,
  withdrawFailedGrants,
  type GrantedPacketRow,
  type GranteeRef,
  type PendingGrantee,
} from '../../db/grants.queries';
import { currentCommitteeKey } from '../../db/committee.queries';
import { enqueueReadyReferrals } from './referral';
import { MalformedMessageError } from '../../crypto/errors';
import { readSessionKeyPacket } from '../../crypto/session-key-grant';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { requireReadableCase } from '../cases/case-work';
import { badInput, conflict, forbidden } from '../errors';

/** The most packets one fulfilment may carry (a case of this many messages takes several posts). */
export const MAX_PACKETS_PER_GRANT = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64 = /^[A-Za-z0-9+/]{4,2048}={0,2}$/;

/** A grantee as the browser names it: "member:<id>" or "committee:<key id>". */
export function granteeName(grantee: GranteeRef): string {
  return grantee.kind === 'member' ? `member:${grantee.memberId}` : `committee:${grantee.committeeKeyId}`;
}

function parseGrantee(value: unknown): GranteeRef {
  const match = typeof value === 'string' ? /^(member|committee):(.+)$/.exec(value) : null;
  if (!match || !UUID.test(match[2]!))
    throw badInput('"grantee" must be "member:<id>" or "committee:<key id>", as the list of pending grants names it.');
  return match[1] === 'member'
    ? { kind: 'member', memberId: match[2]! }
    : { kind: 'committee', committeeKeyId: match[2]! };
}

/** What one grantee needs from this reader's browser: its key, and this reader's own packet of each message. */
export interface GrantTask {
  grantee: string;
  kind: 'member' | 'committee';
  encryptionKeyId: string;
  publicKey: string;
  messages: { id: string; packet: string }[];
}

/** Whether this member may fulfil grants at all: a liaison reads and comments, but never grants. */
function mayGrant(member: SignedInMember): boolean {
  return member.role !== 'liaison';
}

async function tasksFor(db: Kysely<Database>, member: SignedInMember, caseId: string): Promise<GrantTask[]> {
  if (!mayGrant(member)) return [];
  const pending = (await pendingGrants(db, caseId, { excludeFailedBy: member.id })).filter(
    (p) => !(p.grantee.kind === 'member' && p.grantee.memberId === member.id),
  );
  const wanted = [...new Set(pending.flatMap((p) => p.messages.map((m) => m.messageId)))];
  const own = await grantorPackets(db, caseId, member.id, wanted);
  return pending
    .map((p: PendingGrantee) => ({
      grantee: granteeName(p.grantee),
      kind: p.grantee.kind,
      encryptionKeyId: p.encryptionKeyId,
      publicKey: p.armoredKey,
      messages: p.messages
        .filter((m) => own.has(m.messageId))
        .map((m) => ({ id: m.messageId, packet: own.get(m.messageId)!.toString('base64') })),
    }))
    .filter((t) => t.messages.length > 0);
}

/** The pending grants of one readable case that this member's browser can fulfil. */
export async function grantTasks(db: Kysely<Database>, member: SignedInMember, reference: string) {
  const found = await requireReadableCase(db, member, reference);
  return { reference: found.reference, grantees: await tasksFor(db, member, found.id) };
}

/** The member's own cases with grants its browser can fulfil now (nothing about any other case). */
export async function casesToGrant(db: Kysely<Database>, member: SignedInMember): Promise<string[]> {
  if (!mayGrant(member)) return [];
  const out: string[] = [];
  for (const c of await readCasesWithPendingGrants(db, member.id))
    if ((await tasksFor(db, member, c.id)).length > 0) out.push(c.reference);
  return out;
}

interface CheckedPacket {
  messageId: string;
  bytes: Buffer;
  recipientKeyId: string;
}

async function checkPackets(value: unknown): Promise<CheckedPacket[]> {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PACKETS_PER_GRANT)
    throw badInput(`"packets" must list 1 to ${MAX_PACKETS_PER_GRANT} packets, one per message.`);
  const seen = new Set<string>();
  const checked: CheckedPacket[] = [];
  for (const [index, item] of value.entries()) {
    const { messageId, packet } = (item ?? {}) as { messageId?: unknown; packet?: unknown };
    if (typeof messageId !== 'string' || !UUID.test(messageId))
      throw badInput(`Packet ${index + 1}: "messageId" must be a message id.`);
    if (seen.has(messageId)) throw badInput(`Packet ${index + 1}: message ${messageId} is listed twice.`);
    seen.add(messageId);
    if (typeof packet !== 'string' || !BASE64.test(packet))
      throw badInput(`Packet ${index + 1}: "packet" must be a base64 session-key packet.`);
    const bytes = Buffer.from(packet, 'base64');
    try {
      checked.push({ messageId, bytes, ...(await readSessionKeyPacket(bytes)) });
    } catch (error) {
      if (error instanceof MalformedMessageError) throw badInput(`Packet ${index + 1}: ${error.message}`, error);
      throw error;
    }
  }
  return checked;
}

/**
 * Stores the packets a reader's browser made for one grantee, after checking: the grantor reads the
 * case and may grant; the grantee is eligible now (still a reader with this current key, or the
 * committee's current key for messages of a waiting referral) and is not the grantor; each packet
 * is one PKESK addressed to the grantee's current encryption key; each message is of this case.
 * Audited as access.granted. A packet another reader stored first is kept.
 */
export async function fulfilGrant(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  body: { grantee?: unknown; packets?: unknown },
  events: CaseEvents,
  now: Date = new Date(),
): Promise<{ stored: number }> {
  const found = await requireReadableCase(db, member, reference);
  if (!mayGrant(member)) throw forbidden('A liaison reads the case but does not grant access to it.');
  const grantee = parseGrantee(body.grantee);
  if (grantee.kind === 'member' && grantee.memberId === member.id)
    throw forbidden('Access to a case is granted to you by another reader, not by yourself.');
  const packets = await checkPackets(body.packets);

  const stored = await db.transaction().execute(async (trx) => {
    let target: {
      fingerprint: string;
      encryptionKeyId: string;
      memberKeyId: string | null;
      committeeKeyId: string | null;
    };
    if (grantee.kind === 'member') {
      const eligible = await lockMemberGrantee(trx, found.id, grantee.memberId);
      if (!eligible) throw conflict('That member no longer reads this case: nothing was stored.');
      target = { ...eligible, committeeKeyId: null };
    } else {
      const key = await currentCommitteeKey(trx);
      if (!key || key.id !== grantee.committeeKeyId)
        throw conflict("The committee's key has changed since the list was made: reload and grant again.");
      const waiting = await lockWaitingReferralMessages(trx, found.id);
      const notWaiting = packets.find((p) => !waiting.has(p.messageId));
      if (notWaiting) throw conflict('No waiting referral carries one of these messages: nothing was stored.');
      target = {
        fingerprint: key.fingerprint,
        encryptionKeyId: key.encryptionKeyId,
        memberKeyId: null,
        committeeKeyId: key.id,
      };
    }
    const misaddressed = packets.findIndex((p) => p.recipientKeyId !== target.encryptionKeyId.toLowerCase());
    if (misaddressed >= 0)
      throw badInput(`Packet ${misaddressed + 1} is not addressed to the grantee's current key: nothing was stored.`);
    const ofCase = await messagesOfCase(
      trx,
      found.id,
      packets.map((p) => p.messageId),
    );
    if (packets.some((p) => !ofCase.has(p.messageId)))
      throw badInput('A packet names a message that is not part of this case: nothing was stored.');
    const rows: GrantedPacketRow[] = packets.map((p) => ({
      messageId: p.messageId,
      recipientFingerprint: target.fingerprint,
      memberKeyId: target.memberKeyId,
      committeeKeyId: target.committeeKeyId,
      packet: p.bytes,
      grantedByMemberId: member.id,
    }));
    const count = await insertGrantedPackets(trx, rows, now);
    if (count > 0)
      await appendAudit(trx, {
        caseId: found.id,
        actorMemberId: member.id,
        action: 'access.granted',
        details:
          grantee.kind === 'member'
            ? { memberId: grantee.memberId, messages: count }
            : { committeeKeyFingerprint: target.fingerprint, messages: count },
      });
    return count;
  });
  if (grantee.kind === 'committee') await enqueueReadyReferrals(db, events, found.id);
  return { stored };
}

/**
 * The grantee's browser could not decrypt these granted packets: they are taken back, recorded as
 * failed grants (that grantor is not asked again for them), and the grants are pending once more.
 * Only packets made by a grant can be reported; one made with the message stays. Audited.
 */
export async function reportFailedGrants(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  body: { messageIds?: unknown },
): Promise<{ withdrawn: number }> {
  const found = await requireReadableCase(db, member, reference);
  const ids = body.messageIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_PACKETS_PER_GRANT)
    throw badInput(`"messageIds" must list 1 to ${MAX_PACKETS_PER_GRANT} message ids.`);
  if (ids.some((id) => typeof id !== 'string' || !UUID.test(id))) throw badInput('"messageIds" must be message ids.');
  return db.transaction().execute(async (trx) => {
    const gone = await withdrawFailedGrants(trx, found.id, member.id, ids as string[]);
    const byGrantor = new Map<string | null, number>();
    for (const g of gone) byGrantor.set(g.grantedByMemberId, (byGrantor.get(g.grantedByMemberId) ?? 0) + 1);
    for (const [grantedBy, messages] of byGrantor)
      await appendAudit(trx, {
        caseId: found.id,
        actorMemberId: member.id,
        action: 'access.grant-failed',
        details: { memberId: member.id, messages, ...(grantedBy ? { grantedByMemberId: grantedBy } : {}) },
      });
    return { withdrawn: gone.length };
  });
}

/** How many of the member's own cases have a grant waiting longer than `hours` (the dashboard's line; no other case counts). */
export async function casesWaitingForGrant(
  db: Kysely<Database>,
  member: SignedInMember,
  hours: number,
  now: Date,
): Promise<number> {
  const before = now.getTime() - hours * 3_600_000;
  let count = 0;
  for (const c of await readCasesWithPendingGrants(db, member.id)) {
    const pending = await pendingGrants(db, c.id);
    if (pending.some((p) => p.messages.some((m) => m.waitingSince.getTime() < before))) count += 1;
  }
  return count;
}
