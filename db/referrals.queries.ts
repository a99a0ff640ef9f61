import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

export interface Referral {
  id: string;
  caseId: string;
  proposalId: string | null;
  committeeKeyId: string;
  messageIds: string[];
  createdAt: Date;
  sentAt: Date | null;
}

const REFERRAL_COLUMNS = [
  'id',
  'case_id',
  'proposal_id',
  'committee_key_id',
  'message_ids',
  'created_at',
  'sent_at',
] as const;

function toReferral(r: {
  id: string;
  case_id: string;
  proposal_id: string | null;
  committee_key_id: string;
  message_ids: string[];
  created_at: Date;
  sent_at: Date | null;
}): Referral {
  return {
    id: r.id,
    caseId: r.case_id,
    proposalId: r.proposal_id,
    committeeKeyId: r.committee_key_id,
    messageIds: r.message_ids,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

/** Records a sending to the committee of these messages, waiting for their committee packets. */
export async function insertReferral(
  trx: Transaction<Database>,
  referral: {
    caseId: string;
    proposalId: string | null;
    requestedByMemberId: string | null;
    committeeKeyId: string;
    messageIds: string[];
  },
): Promise<string> {
  const { id } = await trx
    .insertInto('case_referrals')
    .values({
      case_id: referral.caseId,
      proposal_id: referral.proposalId,
      requested_by_member_id: referral.requestedByMemberId,
      committee_key_id: referral.committeeKeyId,
      message_ids: referral.messageIds,
      sent_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** Every sending of the case, oldest first. */
export async function caseReferrals(db: Db, caseId: string): Promise<Referral[]> {
  const rows = await db
    .selectFrom('case_referrals')
    .select([...REFERRAL_COLUMNS])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();
  return rows.map(toReferral);
}

/** The messages of the case, oldest first, that no sending (sent or waiting) carries yet. */
export async function messagesNotReferred(db: Db, caseId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT m.id FROM messages m
     WHERE m.case_id = ${caseId}::uuid
       AND NOT EXISTS (SELECT 1 FROM case_referrals r WHERE r.case_id = m.case_id AND m.id = ANY (r.message_ids))
     ORDER BY m.created_at, m.id`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * The waiting sendings (of one case, or of all) whose every message holds a packet for the
 * committee's current key: ready to go. Read without locks; the sender locks each one again.
 */
export async function readyReferrals(db: Db, caseId?: string): Promise<{ id: string; caseId: string }[]> {
  const rows = await sql<{ id: string; case_id: string }>`
    SELECT r.id, r.case_id FROM case_referrals r
      JOIN committee_keys ck ON ck.retired_at IS NULL
     WHERE r.sent_at IS NULL ${caseId ? sql`AND r.case_id = ${caseId}::uuid` : sql``}
       AND NOT EXISTS (
         SELECT 1 FROM unnest(r.message_ids) AS mid(id)
          WHERE NOT EXISTS (SELECT 1 FROM session_keys k WHERE k.message_id = mid.id AND k.committee_key_id = ck.id))
     ORDER BY r.created_at`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, caseId: r.case_id }));
}

/** Locks one sending for the one transaction that sends it; undefined when it does not exist. */
export async function lockReferral(trx: Transaction<Database>, referralId: string): Promise<Referral | undefined> {
  const r = await trx
    .selectFrom('case_referrals')
    .select([...REFERRAL_COLUMNS])
    .where('id', '=', referralId)
    .forUpdate()
    .executeTakeFirst();
  return r && toReferral(r);
}

/** What a sending carries, oldest first: each message's role, its committee packet (null: none yet) and its body. */
export async function referralParts(
  db: Db,
  referral: Pick<Referral, 'caseId' | 'committeeKeyId' | 'messageIds'>,
): Promise<{ messageId: string; role: string; createdAt: Date; packet: Buffer | null; body: Buffer }[]> {
  const rows = await db
    .selectFrom('messages as m')
    .leftJoin('session_keys as k', (join) =>
      join.onRef('k.message_id', '=', 'm.id').on('k.committee_key_id', '=', referral.committeeKeyId),
    )
    .select(['m.id', 'm.role', 'm.created_at', 'm.body', 'k.packet'])
    .where('m.case_id', '=', referral.caseId)
    .where('m.id', 'in', referral.messageIds.length ? referral.messageIds : ['00000000-0000-0000-0000-000000000000'])
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({ messageId: r.id, role: r.role, createdAt: r.created_at, packet: r.packet, body: r.body }));
}

export async function markReferralSent(trx: Transaction<Database>, referralId: string, sentAt: Date): Promise<void> {
  await trx.updateTable('case_referrals').set({ sent_at: sentAt }).where('id', '=', referralId).execute();
}

/** The case a referral belongs to, locked for its status move. */
export async function lockReferredCase(
  trx: Transaction<Database>,
  caseId: string,
): Promise<{ reference: string; kind: 'security' | 'coc'; status: string } | undefined> {
  return trx
    .selectFrom('cases')
    .select(['reference', 'kind', 'status'])
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
}

/** Whether the case was referred already (a referral recorded, sent or waiting). */
export async function hasReferral(db: Db, caseId: string): Promise<boolean> {
  const row = await db.selectFrom('case_referrals').select('id').where('case_id', '=', caseId).executeTakeFirst();
  return row !== undefined;
}
