import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseChannel, CaseKind, Database, MessageRole } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Content-free facts about a case: what `intake case list` and the dashboard list show. */
export interface CaseSummary {
  id: string;
  reference: string;
  kind: CaseKind;
  status: string;
  channel: CaseChannel;
  createdAt: Date;
}

export interface NewMessage {
  role: MessageRole;
  authorMemberId: string | null;
  body: Uint8Array;
  sessionKeys: { recipientFingerprint: string; memberKeyId: string | null; packet: Uint8Array }[];
}

/** Stores one message split: its body once, one session-key packet per recipient. */
export async function insertMessage(db: Db, caseId: string, message: NewMessage): Promise<string> {
  const { id } = await db
    .insertInto('messages')
    .values({
      case_id: caseId,
      role: message.role,
      author_member_id: message.authorMemberId,
      body: Buffer.from(message.body),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('session_keys')
    .values(
      message.sessionKeys.map((k) => ({
        message_id: id,
        recipient_fingerprint: k.recipientFingerprint,
        member_key_id: k.memberKeyId,
        packet: Buffer.from(k.packet),
      })),
    )
    .execute();
  return id;
}

export async function listCaseSummaries(db: Db): Promise<CaseSummary[]> {
  const rows = await db
    .selectFrom('cases')
    .select(['id', 'reference', 'kind', 'status', 'channel', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    kind: r.kind,
    status: r.status,
    channel: r.channel,
    createdAt: r.created_at,
  }));
}

/** The case with this reference, in its stored form. */
export async function findCaseByReference(db: Db, reference: string): Promise<CaseSummary | undefined> {
  const r = await db
    .selectFrom('cases')
    .select(['id', 'reference', 'kind', 'status', 'channel', 'created_at'])
    .where('reference', '=', reference)
    .executeTakeFirst();
  return (
    r && {
      id: r.id,
      reference: r.reference,
      kind: r.kind,
      status: r.status,
      channel: r.channel,
      createdAt: r.created_at,
    }
  );
}

export async function isCaseReader(db: Db, caseId: string, memberId: string): Promise<boolean> {
  const row = await db
    .selectFrom('case_readers')
    .select('member_id')
    .where('case_id', '=', caseId)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The messages of a case that this member holds a session-key packet for, oldest first. */
export async function messagesForMember(
  db: Db,
  caseId: string,
  memberId: string,
): Promise<{ id: string; role: MessageRole; createdAt: Date; body: Buffer; packet: Buffer }[]> {
  const rows = await db
    .selectFrom('messages')
    .innerJoin('session_keys', 'session_keys.message_id', 'messages.id')
    .innerJoin('member_keys', 'member_keys.id', 'session_keys.member_key_id')
    .select(['messages.id', 'messages.role', 'messages.created_at', 'messages.body', 'session_keys.packet'])
    .where('messages.case_id', '=', caseId)
    .where('member_keys.member_id', '=', memberId)
    .orderBy('messages.created_at')
    .orderBy('messages.id')
    .execute();
  return rows.map((r) => ({ id: r.id, role: r.role, createdAt: r.created_at, body: r.body, packet: r.packet }));
}
