import type { Kysely, Transaction } from 'kysely';
import type { CaseKind, Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** The case a reply address leads to, with what deciding and storing a reply needs; never content. */
export interface ReplyAddressCase {
  caseId: string;
  reference: string;
  kind: CaseKind;
  status: string;
  /** The case's last change: for a closed case, when it was closed at the latest. */
  updatedAt: Date;
  reporterFingerprint: string;
  reporterPublicKey: string;
  /** SHA-256 of the receipt, to recognise (and remove) a receipt quoted back in a reply. */
  receiptLookup: Buffer;
}

/**
 * Records a reply address for a case. `tokenHash` is the SHA-256 of the address's random token
 * (>= 128 bits from a CSPRNG); the token itself is never stored.
 */
export async function insertReplyAddress(db: Db, caseId: string, tokenHash: Uint8Array): Promise<void> {
  await db
    .insertInto('case_reply_addresses')
    .values({ case_id: caseId, address_hash: Buffer.from(tokenHash) })
    .execute();
}

/** The case whose reply address has this token hash, whatever its state (the caller decides if it still takes mail). */
export async function findReplyAddressCase(db: Db, tokenHash: Uint8Array): Promise<ReplyAddressCase | undefined> {
  const r = await db
    .selectFrom('case_reply_addresses as a')
    .innerJoin('cases as c', 'c.id', 'a.case_id')
    .select([
      'c.id',
      'c.reference',
      'c.kind',
      'c.status',
      'c.updated_at',
      'c.reporter_fingerprint',
      'c.reporter_public_key',
      'c.receipt_lookup',
    ])
    .where('a.address_hash', '=', Buffer.from(tokenHash))
    .executeTakeFirst();
  return (
    r && {
      caseId: r.id,
      reference: r.reference,
      kind: r.kind,
      status: r.status,
      updatedAt: r.updated_at,
      reporterFingerprint: r.reporter_fingerprint,
      reporterPublicKey: r.reporter_public_key,
      receiptLookup: r.receipt_lookup,
    }
  );
}
