// The no-JavaScript confirmation, shown once: the receipt waits sealed under the form's token (see
// submission-tokens.ts) and is taken out of the database by the first page that shows it.
import type { Kysely } from 'kysely';
import type { CaseKind, Database } from '../db/database';
import { claimSealedReceipt, findSubmission } from '../db/submission-tokens.queries';
import type { SubmissionTokens } from './submission-tokens';

export type Confirmation =
  | { shown: 'now'; reference: string; kind: CaseKind; receipt: string }
  /** Shown before (a reload, a second tab): the reference when the token is known, never the receipt. */
  | { shown: 'before'; reference?: string; kind?: CaseKind };

/** What the confirmation page may show to the request that carries this token (or none). */
export async function takeConfirmation(db: Kysely<Database>, tokens: SubmissionTokens, token: string | undefined): Promise<Confirmation> {
  const verified = tokens.verify(token);
  if (!verified || token === undefined) return { shown: 'before' };
  const claimed = await claimSealedReceipt(db, verified.hash);
  if (claimed) {
    try {
      return { shown: 'now', reference: claimed.reference, kind: claimed.kind, receipt: tokens.unseal(token, claimed.sealedReceipt) };
    } catch {
      // Sealed under another secret (the database was restored elsewhere): nothing can open it.
    }
  }
  const earlier = await findSubmission(db, verified.hash);
  return { shown: 'before', reference: earlier?.reference, kind: earlier?.kind };
}
