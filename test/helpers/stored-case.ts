// Reads back what a submission stored, and builds the inputs the report workflow functions take.
import type { Kysely } from 'kysely';
import type { CaseKind, Database, MemberRole } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import type { EncryptedReport } from '../../server/intake/reports';
import { buildEncryptedPayload } from './encrypted-payload';
import { addFixtureMember, fixtureKey, type GoodKeyName } from './keys';

/** What a case looks like in the database: who may read it and who each message is encrypted to. */
export interface StoredCase {
  id: string;
  kind: CaseKind;
  channel: string;
  reporterFingerprint: string;
  receiptLookupHex: string;
  /** E-mails of the members in case_readers, sorted. */
  readerEmails: string[];
  /** Per message, oldest first: its role and the fingerprints its session-key packets are addressed to, sorted. */
  messages: { role: string; recipientFingerprints: string[] }[];
}

export async function storedCase(db: Kysely<Database>, reference: string): Promise<StoredCase> {
  const row = await db
    .selectFrom('cases')
    .select(['id', 'kind', 'channel', 'reporter_fingerprint', 'receipt_lookup'])
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  const readers = await db
    .selectFrom('case_readers')
    .innerJoin('members', 'members.id', 'case_readers.member_id')
    .select('members.email')
    .where('case_readers.case_id', '=', row.id)
    .execute();
  // One transaction stores a case, so its messages share created_at: the report ('report' > 'attachment') first.
  const messages = await db
    .selectFrom('messages')
    .select(['id', 'role'])
    .where('case_id', '=', row.id)
    .orderBy('created_at')
    .orderBy('role', 'desc')
    .execute();
  const keys = await db
    .selectFrom('session_keys')
    .innerJoin('messages', 'messages.id', 'session_keys.message_id')
    .select(['session_keys.message_id', 'session_keys.recipient_fingerprint'])
    .where('messages.case_id', '=', row.id)
    .execute();
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    reporterFingerprint: row.reporter_fingerprint,
    receiptLookupHex: row.receipt_lookup.toString('hex'),
    readerEmails: readers.map((r) => r.email).sort(),
    messages: messages.map((m) => ({
      role: m.role,
      recipientFingerprints: keys
        .filter((k) => k.message_id === m.id)
        .map((k) => k.recipient_fingerprint)
        .sort(),
    })),
  };
}

/** The sorted fingerprints of these fixture members, plus any extra ones (the reporter's). */
export function fingerprintsOf(names: readonly GoodKeyName[], ...extra: string[]): string[] {
  return [...names.map((name) => fixtureKey(name).fingerprint), ...extra].sort();
}

export function emailsOf(names: readonly GoodKeyName[]): string[] {
  return names.map((name) => fixtureKey(name).email).sort();
}

/** Adds fixture members by role; returns them by name. */
export async function addCast(
  db: Kysely<Database>,
  cast: Partial<Record<GoodKeyName, MemberRole>>,
): Promise<Partial<Record<GoodKeyName, MemberWithKey>>> {
  const members: Partial<Record<GoodKeyName, MemberWithKey>> = {};
  for (const [name, role] of Object.entries(cast) as [GoodKeyName, MemberRole][])
    members[name] = await addFixtureMember(db, name, role);
  return members;
}

/**
 * A report encrypted on the client, as submitEncryptedReport takes it: to the public keys of
 * `recipients` (fixture names) and to a new reporter key unless `omitReporter`.
 */
export async function clientEncryptedReport(options: {
  kind: CaseKind;
  recipients: readonly GoodKeyName[];
  text: string;
  involvedIds?: string[];
  attachments?: Uint8Array[];
  omitReporter?: boolean;
}): Promise<{ input: EncryptedReport; receipt: string }> {
  const { body, receipt } = await buildEncryptedPayload({
    kind: options.kind,
    recipientKeys: options.recipients.map((name) => fixtureKey(name).publicKey),
    text: options.text,
    attachments: options.attachments,
    omitReporter: options.omitReporter,
  });
  return {
    receipt,
    input: {
      kind: options.kind,
      involvedIds: options.involvedIds ?? [],
      reporterPublicKey: body.reporter.publicKey,
      reporterLockedKey: body.reporter.lockedPrivateKey,
      receiptLookup: body.reporter.receiptLookup,
      report: body.report,
      attachments: body.attachments,
    },
  };
}

/** The shape of a new reference of this kind made this year: SEC-2026-7K3M-9QXD (random). */
export function newReferenceShape(prefix: 'SEC' | 'COC'): RegExp {
  return new RegExp(`^${prefix}-${new Date().getUTCFullYear()}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`);
}
