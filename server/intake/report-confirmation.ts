// The no-JavaScript confirmation, shown once: the receipt waits sealed under the form's token (see
// submission-tokens.ts) and is taken out of the database by the first page that shows it.
import type { Kysely } from 'kysely';
import type { CaseKind, Database } from '../../db/database';
import { claimSealedReceipt, findSubmission } from '../../db/submission-tokens.queries';
import type { SubmissionTokens, VerifiedToken } from './submission-tokens';

export type Confirmation =
  | { shown: 'now'; reference: string; kind: CaseKind; receipt: string }
  /** Shown before (a reload, a second tab): the reference when the token is known, never the receipt. */
  | { shown: 'before'; reference?: string; kind?: CaseKind };

/** What the confirmation page may show to the request that carries this (verified) token, or none. */
export async function takeConfirmation(
  db: Kysely<Database>,
  tokens: SubmissionTokens,
  verified: VerifiedToken | null,
): Promise<Confirmation> {
  if (!verified) return { shown: 'before' };
  const claimed = await claimSealedReceipt(db, verified.hash);
  if (claimed) {
    try {
      return {
        shown: 'now',
        reference: claimed.reference,
        kind: claimed.kind,
        receipt: tokens.unseal(verified.value, claimed.sealedReceipt),
      };
    } catch {
      // Sealed under another secret (the database was restored elsewhere): nothing can open it.
    }
  }
  const earlier = await findSubmission(db, verified.hash);
  return { shown: 'before', reference: earlier?.reference, kind: earlier?.kind };
}

/** The case a form's token made, if it made one; unknown (undefined) while the database is down. */
export async function earlierSubmission(
  db: Kysely<Database>,
  token: VerifiedToken,
): Promise<{ reference: string; kind: CaseKind } | undefined> {
  const earlier = await findSubmission(db, token.hash).catch(() => undefined);
  return earlier && { reference: earlier.reference, kind: earlier.kind };
}
