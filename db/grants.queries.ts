import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Who a grant is for: a reader's current member key, or the committee's current key (a waiting referral). */
export type GranteeRef = { kind: 'member'; memberId: string } | { kind: 'committee'; committeeKeyId: string };

/** One grantee of a case with the messages it lacks a packet for. Public keys are not secret. */
export interface PendingGrantee {
  grantee: GranteeRef;
  /** member_keys.id, or committee_keys.id. */
  keyRowId: string;
  fingerprint: string;
  encryptionKeyId: string;
  armoredKey: string;
  messages: { messageId: string; waitingSince: Date }[];
}

interface PendingRow {
  kind: 'member' | 'committee';
  grantee_id: string;
  key_row_id: string;
  fingerprint: string;
  encryption_key_id: string;
  armored: string;
  message_id: string;
  waiting_since: Date;
}

/**
 * The pending grants of a case (issue 10 §1): each reader's current key, and the committee's current
 * key for the messages of a referral not sent yet, with the messages it holds no packet for. A
 * message waits since the latest of: the reader was added (or the referral made), the key was set,
 * a failed grant of it was reported. `excludeFailedBy`: leaves out what that grantor already
 * failed for that key, so that another reader takes it.
 */
export async function pendingGrants(
  db: Db,
  caseId: string,
  options: { excludeFailedBy?: string } = {},
): Promise<PendingGrantee[]> {
  const failedBy = options.excludeFailedBy ?? null;
  const notFailedBy = (fingerprint: ReturnType<typeof sql.ref>) => sql`(${failedBy}::uuid IS NULL OR NOT EXISTS (
      SELECT 1 FROM grant_failures gf WHERE gf.message_id = m.id AND gf.recipient_fingerprint = ${fingerprint}
        AND gf.granted_by_member_id = ${failedBy}::uuid))`;
  const lastFailure = (fingerprint: ReturnType<typeof sql.ref>) =>
    sql`(SELECT max(gf.reported_at) FROM grant_failures gf WHERE gf.message_id = m.id AND gf.recipient_fingerprint = ${fingerprint})`;
  const rows = await sql<PendingRow>`
    SELECT 'member' AS kind, cr.member_id AS grantee_id, mk.id AS key_row_id, mk.fingerprint,
           mk.encryption_key_id, mk.armored, m.id AS message_id,
           greatest(cr.granted_at, mk.created_at, ${lastFailure(sql.ref('mk.fingerprint'))}) AS waiting_since
      FROM case_readers cr
      JOIN member_keys mk ON mk.member_id = cr.member_id AND mk.retired_at IS NULL
      JOIN messages m ON m.case_id = cr.case_id
     WHERE cr.case_id = ${caseId}::uuid
       AND NOT EXISTS (SELECT 1 FROM session_keys k WHERE k.message_id = m.id AND k.member_key_id = mk.id)
       AND ${notFailedBy(sql.ref('mk.fingerprint'))}
    UNION ALL
    SELECT 'committee', ck.id, ck.id, ck.fingerprint, ck.encryption_key_id, ck.armored, m.id,
           greatest(min(r.created_at), ck.created_at, ${lastFailure(sql.ref('ck.fingerprint'))})
      FROM case_referrals r
      JOIN committee_keys ck ON ck.retired_at IS NULL
      JOIN messages m ON m.id = ANY (r.message_ids) AND m.case_id = r.case_id
     WHERE r.case_id = ${caseId}::uuid AND r.sent_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM session_keys k WHERE k.message_id = m.id AND k.committee_key_id = ck.id)
       AND ${notFailedBy(sql.ref('ck.fingerprint'))}
     GROUP BY ck.id, m.id
     ORDER BY 1, 2, 8, 7`.execute(db);
  const byGrantee = new Map<string, PendingGrantee>();
  for (const r of rows.rows) {
    const key = `${r.kind}:${r.grantee_id}`;
    let entry = byGrantee.get(key);
    if (!entry) {
      entry = {
        grantee:
          r.kind === 'member'
            ? { kind: 'member', memberId: r.grantee_id }
            : { kind: 'committee', committeeKeyId: r.grantee_id },
        keyRowId: r.key_row_id,
        fingerprint: r.fingerprint,
        encryptionKeyId: r.encryption_key_id,
        armoredKey: r.armored,
        messages: [],
      };
      byGrantee.set(key, entry);
    }
    entry.messages.push({ messageId: r.message_id, waitingSince: new Date(r.waiting_since) });
  }
  return [...byGrantee.values()];
}

/** The grantor's own packets (its current key) for these messages of the case; a message it holds none for is left out. */
export async function grantorPackets(
  db: Db,
  caseId: string,
  grantorMemberId: string,
  messageIds: readonly string[],
): Promise<Map<string, Buffer>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('session_keys as k')
    .innerJoin('messages as m', 'm.id', 'k.message_id')
    .innerJoin('member_keys as mk', (join) =>
      join.onRef('mk.id', '=', 'k.member_key_id').on('mk.retired_at', 'is', null),
    )
    .select(['k.message_id', 'k.packet'])
    .where('m.case_id', '=', caseId)
    .where('mk.member_id', '=', grantorMemberId)
    .where('k.message_id', 'in', [...messageIds])
    .execute();
  return new Map(rows.map((r) => [r.message_id, r.packet]));
}

/** The cases this member reads that have any pending grant, as references (the member's own cases only). */
export async function readCasesWithPendingGrants(
  db: Db,
  memberId: string,
): Promise<{ id: string; reference: string }[]> {
  const rows = await sql<{ id: string; reference: string }>`
    SELECT c.id, c.reference FROM case_readers mine JOIN cases c ON c.id = mine.case_id
     WHERE mine.member_id = ${memberId}::uuid
       AND (EXISTS (
             SELECT 1 FROM case_readers cr
               JOIN member_keys mk ON mk.member_id = cr.member_id AND mk.retired_at IS NULL
               JOIN messages m ON m.case_id = cr.case_id
              WHERE cr.case_id = c.id
                AND NOT EXISTS (SELECT 1 FROM session_keys k WHERE k.message_id = m.id AND k.member_key_id = mk.id))
         OR EXISTS (SELECT 1 FROM case_referrals r WHERE r.case_id = c.id AND r.sent_at IS NULL))
     ORDER BY c.reference`.execute(db);
  return rows.rows;
}

/**
 * Locks what makes a member grantee eligible while its packets are stored: its reader row and its
 * current key (a concurrent revocation or key change waits, then finds the packets). Undefined when
 * it no longer reads the case or `memberKeyId` is no longer its current key.
 */
export async function lockMemberGrantee(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
): Promise<{ memberKeyId: string; fingerprint: string; encryptionKeyId: string; role: string } | undefined> {
  const row = await sql<{ member_key_id: string; fingerprint: string; encryption_key_id: string; role: string }>`
    SELECT mk.id AS member_key_id, mk.fingerprint, mk.encryption_key_id, m.role
      FROM case_readers cr
      JOIN members m ON m.id = cr.member_id
      JOIN member_keys mk ON mk.member_id = cr.member_id AND mk.retired_at IS NULL
     WHERE cr.case_id = ${caseId}::uuid AND cr.member_id = ${memberId}::uuid
       FOR SHARE OF cr, mk`.execute(trx);
  const r = row.rows[0];
  return (
    r && {
      memberKeyId: r.member_key_id,
      fingerprint: r.fingerprint,
      encryptionKeyId: r.encryption_key_id,
      role: r.role,
    }
  );
}

/** The messages of the case, among these, that a waiting referral carries (locked: a sending waits for the grant). */
export async function lockWaitingReferralMessages(trx: Transaction<Database>, caseId: string): Promise<Set<string>> {
  const rows = await sql<{ message_ids: string[] }>`
    SELECT message_ids FROM case_referrals WHERE case_id = ${caseId}::uuid AND sent_at IS NULL FOR SHARE`.execute(trx);
  return new Set(rows.rows.flatMap((r) => r.message_ids));
}

/** Which of these ids are messages of the case. */
export async function messagesOfCase(db: Db, caseId: string, messageIds: readonly string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('messages')
    .select('id')
    .where('case_id', '=', caseId)
    .where('id', 'in', [...messageIds])
    .execute();
  return new Set(rows.map((r) => r.id));
}

export interface GrantedPacketRow {
  messageId: string;
  recipientFingerprint: string;
  memberKeyId: string | null;
  committeeKeyId: string | null;
  packet: Uint8Array;
  grantedByMemberId: string;
}

/** Stores granted packets; one another reader stored first for the same message and key is kept. Returns how many are new. */
export async function insertGrantedPackets(
  trx: Transaction<Database>,
  rows: readonly GrantedPacketRow[],
  grantedAt: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await trx
    .insertInto('session_keys')
    .values(
      rows.map((r) => ({
        message_id: r.messageId,
        recipient_fingerprint: r.recipientFingerprint,
        member_key_id: r.memberKeyId,
        committee_key_id: r.committeeKeyId,
        packet: Buffer.from(r.packet),
        granted_by_member_id: r.grantedByMemberId,
        granted_at: grantedAt,
      })),
    )
    .onConflict((oc) => oc.columns(['message_id', 'recipient_fingerprint']).doNothing())
    .returning('message_id')
    .execute();
  return inserted.length;
}

/**
 * Takes back the granted packets (made later by a reader, never one made with the message) of the
 * member's current key on these messages of the case, and records each as a failed grant. Returns
 * the message ids whose packet went, with who had granted it.
 */
export async function withdrawFailedGrants(
  trx: Transaction<Database>,
  caseId: string,
  memberId: string,
  messageIds: readonly string[],
): Promise<{ messageId: string; grantedByMemberId: string | null; fingerprint: string }[]> {
  if (messageIds.length === 0) return [];
  const rows = await sql<{ message_id: string; granted_by_member_id: string | null; fingerprint: string }>`
    WITH gone AS (
      DELETE FROM session_keys k
       USING messages m, member_keys mk
       WHERE k.message_id = m.id AND m.case_id = ${caseId}::uuid
         AND k.member_key_id = mk.id AND mk.member_id = ${memberId}::uuid AND mk.retired_at IS NULL
         AND k.granted_at IS NOT NULL
         AND k.message_id = ANY (${[...messageIds]}::uuid[])
      RETURNING k.message_id, k.granted_by_member_id, mk.fingerprint),
    recorded AS (
      INSERT INTO grant_failures (message_id, recipient_fingerprint, granted_by_member_id)
      SELECT message_id, fingerprint, granted_by_member_id FROM gone)
    SELECT * FROM gone ORDER BY message_id`.execute(trx);
  return rows.rows.map((r) => ({
    messageId: r.message_id,
    grantedByMemberId: r.granted_by_member_id,
    fingerprint: r.fingerprint,
  }));
}
