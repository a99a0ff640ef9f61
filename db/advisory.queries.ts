// The advisory of a security case: its drafts are messages with role `advisory-draft` (ciphertext,
// like comments); its publication is an audit row. OWNER: helper "advisory".
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

export interface StoredDraft {
  id: string;
  createdAt: Date;
  authorName: string | null;
  body: Buffer;
  /** This member's session-key packet; null when the draft was not encrypted to their current key. */
  packet: Buffer | null;
}

/** The newest advisory draft of a case (the current one), with this member's key packet. */
export async function newestAdvisoryDraft(db: Db, caseId: string, memberId: string): Promise<StoredDraft | null> {
  const row = await db
    .selectFrom('messages as m')
    .leftJoin('members as a', 'a.id', 'm.author_member_id')
    .select((eb) => [
      'm.id',
      'm.created_at',
      'm.body',
      'a.name as author_name',
      eb
        .selectFrom('session_keys as k')
        .innerJoin('member_keys as mk', 'mk.id', 'k.member_key_id')
        .select('k.packet')
        .whereRef('k.message_id', '=', 'm.id')
        .where('mk.member_id', '=', memberId)
        .orderBy('mk.created_at', 'desc')
        .limit(1)
        .as('packet'),
    ])
    .where('m.case_id', '=', caseId)
    .where('m.role', '=', 'advisory-draft')
    .orderBy('m.created_at', 'desc')
    .orderBy('m.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return { id: row.id, createdAt: row.created_at, authorName: row.author_name, body: row.body, packet: row.packet };
}

/** How many drafts a case has (0: none saved yet). */
export async function advisoryDraftCount(db: Db, caseId: string): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('case_id', '=', caseId)
    .where('role', '=', 'advisory-draft')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** When the case's advisory was published (its audit row), or null. */
export async function advisoryPublishedAt(db: Db, caseId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('audit_log')
    .select('created_at')
    .where('case_id', '=', caseId)
    .where('action', '=', 'advisory.published')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at ?? null;
}
