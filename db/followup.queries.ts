import type { Kysely } from 'kysely';
import type { CaseKind, Database, MessageRole } from './database';

export interface ReporterCase {
  id: string;
  reference: string;
  kind: CaseKind;
  status: string;
  reporterFingerprint: string;
  reporterPublicKey: string;
  /** null once the content is deleted (retention). */
  reporterLockedKey: string | null;
  contentDeletedAt: Date | null;
}

/** The case a receipt's lookup hash points at; the locked reporter key is read only here. */
export async function findCaseByReceiptLookup(
  db: Kysely<Database>,
  lookup: Uint8Array,
): Promise<ReporterCase | undefined> {
  const r = await db
    .selectFrom('cases')
    .select([
      'id',
      'reference',
      'kind',
      'status',
      'reporter_fingerprint',
      'reporter_public_key',
      'reporter_locked_key',
      'content_deleted_at',
    ])
    .where('receipt_lookup', '=', Buffer.from(lookup))
    .executeTakeFirst();
  return (
    r && {
      id: r.id,
      reference: r.reference,
      kind: r.kind,
      status: r.status,
      reporterFingerprint: r.reporter_fingerprint,
      reporterPublicKey: r.reporter_public_key,
      reporterLockedKey: r.reporter_locked_key,
      contentDeletedAt: r.content_deleted_at,
    }
  );
}

/** The messages the reporter's key can open (the report, attachments, replies, its own answers), oldest first. */
export async function reporterTimeline(
  db: Kysely<Database>,
  caseId: string,
  reporterFingerprint: string,
): Promise<{ id: string; role: MessageRole; createdAt: Date; packet: Buffer; body: Buffer }[]> {
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('session_keys as k', 'k.message_id', 'm.id')
    .select(['m.id', 'm.role', 'm.created_at', 'm.body', 'k.packet'])
    .where('m.case_id', '=', caseId)
    .where('k.recipient_fingerprint', '=', reporterFingerprint)
    .where('k.member_key_id', 'is', null)
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({ id: r.id, role: r.role, createdAt: r.created_at, packet: r.packet, body: r.body }));
}
