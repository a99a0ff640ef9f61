// The writes of case work (server/cases/case-work.ts, case-reopen.ts): one named write for each
// thing a reader changes, given in the domain's words; which columns that touches is decided here.
// Every write also moves the case's updated_at.
import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { CasesTable, Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** A status move: the clocks it stops, and what a closing move records (the original of a duplicate, a resolution). */
export interface CaseStatusChange {
  status: string;
  acknowledgedAt: Date;
  triagedAt: Date | null;
  duplicateOf?: string;
  resolution?: string;
}

/** A security case's severity; all null clears it. */
export interface CaseSeverity {
  cvssVector: string | null;
  cvssScore: number | null;
  cvssRating: string | null;
  cwe: string | null;
  affectedVersions: string | null;
}

async function updateCase(db: Db, caseId: string, patch: Updateable<CasesTable>): Promise<void> {
  await db
    .updateTable('cases')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', caseId)
    .execute();
}

/** Locks the case row for a read-modify-write (a status move) inside a transaction. */
export async function lockCaseStatus(
  trx: Transaction<Database>,
  caseId: string,
): Promise<{ status: string; acknowledgedAt: Date | null; triagedAt: Date | null }> {
  const r = await trx
    .selectFrom('cases')
    .select(['status', 'acknowledged_at', 'triaged_at'])
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { status: r.status, acknowledgedAt: r.acknowledged_at, triagedAt: r.triaged_at };
}

export async function setCaseStatus(db: Db, caseId: string, change: CaseStatusChange): Promise<void> {
  await updateCase(db, caseId, {
    status: change.status,
    // A closed case's retention clock starts when it reached that state (server/retention).
    retention_started_at: new Date(),
    acknowledged_at: change.acknowledgedAt,
    triaged_at: change.triagedAt,
    ...(change.duplicateOf ? { duplicate_of: change.duplicateOf } : {}),
    ...(change.resolution ? { resolution: change.resolution } : {}),
  });
}

/** Back to an open status: a reopened case is no longer a duplicate, nor resolved. */
export async function reopenCaseStatus(db: Db, caseId: string, status: string): Promise<void> {
  await updateCase(db, caseId, { status, duplicate_of: null, resolution: null, retention_started_at: new Date() });
}

export async function setCaseAssignee(db: Db, caseId: string, assigneeId: string | null): Promise<void> {
  await updateCase(db, caseId, { assignee_id: assigneeId });
}

export async function setCaseSeverity(db: Db, caseId: string, severity: CaseSeverity): Promise<void> {
  await updateCase(db, caseId, {
    severity_vector: severity.cvssVector,
    // numeric(3, 1): one decimal, as the score is shown.
    severity_score: severity.cvssScore === null ? null : severity.cvssScore.toFixed(1),
    severity_rating: severity.cvssRating,
    cwe: severity.cwe,
    affected_versions: severity.affectedVersions,
  });
}

export async function setCaseExpedited(db: Db, caseId: string, expedited: boolean): Promise<void> {
  await updateCase(db, caseId, { expedited });
}

/** Sets (or with null clears) a case's embargo day, given as 'YYYY-MM-DD'. */
export async function setEmbargoDay(db: Db, caseId: string, day: string | null): Promise<void> {
  await db
    .updateTable('cases')
    .set({ embargo_until: day === null ? null : sql<Date>`${day}::date`, updated_at: new Date() })
    .where('id', '=', caseId)
    .execute();
}
