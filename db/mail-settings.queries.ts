import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseKind, Database, MessageRole } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Everything a notification needs about its one recipient and case; never any content. */
export interface NotificationTarget {
  memberId: string;
  name: string;
  email: string;
  deliverContent: boolean;
  caseId: string;
  reference: string;
  kind: CaseKind;
  status: string;
}

/**
 * The recipient of a notification, only while it is a reader of the case (case_readers): a
 * member who lost access, or never had it (an excluded approver), yields undefined.
 */
export async function notificationTarget(
  db: Db,
  caseId: string,
  memberId: string,
): Promise<NotificationTarget | undefined> {
  const row = await db
    .selectFrom('case_readers')
    .innerJoin('members', 'members.id', 'case_readers.member_id')
    .innerJoin('cases', 'cases.id', 'case_readers.case_id')
    .leftJoin('member_mail_settings', 'member_mail_settings.member_id', 'members.id')
    .select([
      'members.id as member_id',
      'members.name',
      'members.email',
      'member_mail_settings.deliver_content',
      'cases.id as case_id',
      'cases.reference',
      'cases.kind',
      'cases.status',
    ])
    .where('case_readers.case_id', '=', caseId)
    .where('case_readers.member_id', '=', memberId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    memberId: row.member_id,
    name: row.name,
    email: row.email,
    deliverContent: row.deliver_content === true,
    caseId: row.case_id,
    reference: row.reference,
    kind: row.kind,
    status: row.status,
  };
}

/** The members who read a case now: the only people ever notified about it. */
export async function caseReaderIds(db: Db, caseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('case_readers')
    .select('member_id')
    .where('case_id', '=', caseId)
    .orderBy('member_id')
    .execute();
  return rows.map((r) => r.member_id);
}

/** The newest message of a case (the one a "new message" notification is about), with its role. */
export async function latestMessage(db: Db, caseId: string): Promise<{ id: string; role: MessageRole } | undefined> {
  return (
    db
      .selectFrom('messages')
      .select(['id', 'role'])
      .where('case_id', '=', caseId)
      // Files are stored just after the message they came with: the notification is about that message.
      .where('role', '!=', 'attachment')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()
  );
}

/** The role of one message of the case (what a "new message" notification names), if it is still there. */
export async function messageRole(db: Db, caseId: string, messageId: string): Promise<MessageRole | undefined> {
  const row = await db
    .selectFrom('messages')
    .select('role')
    .where('id', '=', messageId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return row?.role;
}

/** Turns content delivery on or off for a member. */
export async function setDeliverContent(db: Db, memberId: string, deliverContent: boolean): Promise<void> {
  await db
    .insertInto('member_mail_settings')
    .values({ member_id: memberId, deliver_content: deliverContent })
    .onConflict((oc) => oc.column('member_id').doUpdateSet({ deliver_content: deliverContent, updated_at: sql`now()` }))
    .execute();
}

/** Members who opted in to content delivery, by id. */
export async function membersDeliveringContent(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectFrom('member_mail_settings')
    .select('member_id')
    .where('deliver_content', '=', true)
    .execute();
  return new Set(rows.map((r) => r.member_id));
}
