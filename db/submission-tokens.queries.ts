import { sql, type Kysely } from 'kysely';
import type { CaseKind, Database } from './database';

/** The used token a new case records, inserted in the case's own statement (db/new-case.queries.ts). */
export interface NewSubmissionToken {
  /** SHA-256 of the token. */
  tokenHash: Uint8Array;
  expiresAt: Date;
  /** A no-JavaScript receipt, sealed by the caller; null when the client made its own receipt. */
  sealedReceipt: Uint8Array | null;
  sealUntil: Date | null;
}

/**
 * The data-modifying CTE that records a new case's token, for insertCaseWithMessages' statement
 * (after its `new_case` CTE; empty without a token). The primary key makes a second use fail it.
 */
export function submissionTokenInsert(token: NewSubmissionToken | undefined, caseId: string) {
  if (!token) return sql``;
  return sql`,
    new_submission AS (
      INSERT INTO submission_tokens (token_hash, case_id, expires_at, sealed_receipt, seal_until)
      SELECT ${Buffer.from(token.tokenHash)}::bytea, ${caseId}::uuid, ${token.expiresAt}::timestamptz,
             ${token.sealedReceipt ? Buffer.from(token.sealedReceipt) : null}::bytea, ${token.sealUntil}::timestamptz
      FROM new_case
    )`;
}

/** The token was used before: its case exists (or is being stored by a concurrent request). */
export class SubmissionTokenUsedError extends Error {
  constructor(cause?: unknown) {
    super('This submission token was already used.', { cause });
    this.name = 'SubmissionTokenUsedError';
  }
}

/** Turns the database's refusal of a second row for one token into SubmissionTokenUsedError. */
export function asTokenUsedError(error: unknown): unknown {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'submission_tokens_pkey' ? new SubmissionTokenUsedError(error) : error;
}

export interface EarlierSubmission {
  reference: string;
  kind: CaseKind;
  /** The case's receipt lookup hash: lets an API client's identical retry be told from a different report. */
  receiptLookup: Buffer;
  /** Whether a sealed receipt still waits to be shown once. */
  receiptWaiting: boolean;
}

/** The case a used token made, if any. Reads no sealed receipt. */
export async function findSubmission(
  db: Kysely<Database>,
  tokenHash: Uint8Array,
): Promise<EarlierSubmission | undefined> {
  const row = await db
    .selectFrom('submission_tokens as t')
    .innerJoin('cases as c', 'c.id', 't.case_id')
    .select(['c.reference', 'c.kind', 'c.receipt_lookup'])
    .select(sql<boolean>`t.sealed_receipt IS NOT NULL AND t.seal_until > now()`.as('receipt_waiting'))
    .where('t.token_hash', '=', Buffer.from(tokenHash))
    .executeTakeFirst();
  return (
    row && {
      reference: row.reference,
      kind: row.kind,
      receiptLookup: row.receipt_lookup,
      receiptWaiting: row.receipt_waiting,
    }
  );
}

/**
 * Takes the sealed receipt of a submission out of the database, once: the row keeps no copy, and a
 * concurrent claim of the same token gets nothing. Nothing is returned once the seal has expired.
 */
export async function claimSealedReceipt(
  db: Kysely<Database>,
  tokenHash: Uint8Array,
): Promise<{ reference: string; kind: CaseKind; sealedReceipt: Buffer } | undefined> {
  const { rows } = await sql<{ reference: string; kind: CaseKind; sealed_receipt: Buffer }>`
    WITH claimed AS (
      UPDATE submission_tokens AS t SET sealed_receipt = NULL, seal_until = NULL
      FROM (
        SELECT token_hash, sealed_receipt FROM submission_tokens
        WHERE token_hash = ${Buffer.from(tokenHash)} AND sealed_receipt IS NOT NULL AND seal_until > now()
        FOR UPDATE
      ) AS old
      WHERE t.token_hash = old.token_hash
      RETURNING t.case_id, old.sealed_receipt
    )
    SELECT c.reference, c.kind, claimed.sealed_receipt FROM claimed JOIN cases c ON c.id = claimed.case_id`.execute(db);
  const row = rows[0];
  return row && { reference: row.reference, kind: row.kind, sealedReceipt: row.sealed_receipt };
}

/**
 * Drops sealed receipts nobody came for, and the rows of tokens that expired (with an hour's margin
 * for clocks that differ between instances): an expired token is refused before it gets here.
 */
export async function deleteExpiredSubmissionTokens(db: Kysely<Database>): Promise<void> {
  await db
    .updateTable('submission_tokens')
    .set({ sealed_receipt: null, seal_until: null })
    .where('seal_until', '<=', sql<Date>`now()`)
    .execute();
  await db
    .deleteFrom('submission_tokens')
    .where('expires_at', '<', sql<Date>`now() - interval '1 hour'`)
    .execute();
}
