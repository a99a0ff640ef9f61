import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The dashboard's case list at 100,000 cases (issue 3:
// any page under 50 ms). Joined to cases, a member's 70,000 readable cases cost 100+ ms to count per
// status, and a rare filter (an approver's security cases: none) walks every case. So each reader row
// carries a copy of what the list filters, orders and counts by — its case's created_at, kind, status,
// assignee, and when its first running response clock runs out — kept by the triggers below; a page is
// then one walk of the member's index in keyset order and the counts an index-only scan of the
// member's entries. The copies are metadata the case row holds in the clear already (DESIGN §2), on
// rows of the members who may read the case anyway.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE case_readers
      ADD COLUMN case_created_at timestamptz,
      ADD COLUMN case_kind text,
      ADD COLUMN case_status text,
      ADD COLUMN case_assignee_id uuid,
      ADD COLUMN case_clock_due_at timestamptz`.execute(db);

  // Overdue (server/cases/clocks.ts) is exactly "clock_due_at < now": the earlier due time of the clocks
  // still running (acknowledge, triage); null when none runs (LEAST ignores nulls).
  await sql`
    CREATE FUNCTION case_clock_due_at(acknowledged_at timestamptz, acknowledge_due_at timestamptz, triaged_at timestamptz, triage_due_at timestamptz)
      RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN LEAST(CASE WHEN acknowledged_at IS NULL THEN acknowledge_due_at END, CASE WHEN triaged_at IS NULL THEN triage_due_at END)`.execute(
    db,
  );

  // A reader added to a case copies it; a reader row's own values are never taken. The case is locked
  // (FOR SHARE) so that a concurrent change of it either commits first and is read here, or waits for
  // this row to commit and then updates it. Not found: the case is being inserted by the same statement
  // (server: one statement per submission), and the trigger on cases fills the row in at its end.
  await sql`
    CREATE FUNCTION case_readers_copy_case() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      SELECT created_at, kind, status, assignee_id, case_clock_due_at(acknowledged_at, acknowledge_due_at, triaged_at, triage_due_at)
        INTO NEW.case_created_at, NEW.case_kind, NEW.case_status, NEW.case_assignee_id, NEW.case_clock_due_at
        FROM cases WHERE id = NEW.case_id FOR SHARE;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER case_readers_copy_case BEFORE INSERT ON case_readers FOR EACH ROW EXECUTE FUNCTION case_readers_copy_case()`.execute(
    db,
  );

  // A case's values go to its readers' rows: after an update of them, and after its insert (for the
  // readers inserted by the same statement before the case was there to copy).
  await sql`
    CREATE FUNCTION cases_copy_to_readers() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      due timestamptz := case_clock_due_at(NEW.acknowledged_at, NEW.acknowledge_due_at, NEW.triaged_at, NEW.triage_due_at);
    BEGIN
      UPDATE case_readers
        SET case_created_at = NEW.created_at, case_kind = NEW.kind, case_status = NEW.status, case_assignee_id = NEW.assignee_id, case_clock_due_at = due
        WHERE case_id = NEW.id
          AND (case_created_at, case_kind, case_status, case_assignee_id, case_clock_due_at)
              IS DISTINCT FROM (NEW.created_at, NEW.kind, NEW.status, NEW.assignee_id, due);
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER cases_copy_to_new_readers AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION cases_copy_to_readers()`.execute(
    db,
  );
  await sql`
    CREATE TRIGGER cases_copy_to_readers
      AFTER UPDATE OF created_at, kind, status, assignee_id, acknowledged_at, acknowledge_due_at, triaged_at, triage_due_at ON cases
      FOR EACH ROW EXECUTE FUNCTION cases_copy_to_readers()`.execute(db);

  await sql`
    UPDATE case_readers r
      SET case_created_at = c.created_at, case_kind = c.kind, case_status = c.status, case_assignee_id = c.assignee_id,
          case_clock_due_at = case_clock_due_at(c.acknowledged_at, c.acknowledge_due_at, c.triaged_at, c.triage_due_at)
      FROM cases c WHERE c.id = r.case_id`.execute(db);
  // A page: the member's entries in keyset order (created_at, id), filtered on the included copies.
  await sql`
    CREATE INDEX case_readers_list ON case_readers (member_id, case_created_at, case_id)
      INCLUDE (case_kind, case_status, case_assignee_id)`.execute(db);
  // The counts per status: an index-only scan of the member's entries, in status order. All key
  // columns and few distinct values, so B-tree deduplication keeps it small (~2 MB at 100,000 cases).
  await sql`CREATE INDEX case_readers_counts ON case_readers (member_id, case_status, case_kind, case_assignee_id)`.execute(
    db,
  );
  // The overdue filter: only the cases with a running clock (a few per cent), page and counts alike.
  await sql`
    CREATE INDEX case_readers_list_clock_running ON case_readers (member_id, case_created_at, case_id)
      INCLUDE (case_clock_due_at, case_kind, case_status, case_assignee_id) WHERE case_clock_due_at IS NOT NULL`.execute(
    db,
  );
  // Index-only scans read the heap for pages not all-visible: every move of a case rewrites its
  // readers' rows. Vacuum this small table after ~1% of it changed, not the default 20%.
  await sql`ALTER TABLE case_readers SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE case_readers RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor)`.execute(
    db,
  );
  await sql`DROP TRIGGER cases_copy_to_readers ON cases`.execute(db);
  await sql`DROP TRIGGER cases_copy_to_new_readers ON cases`.execute(db);
  await sql`DROP FUNCTION cases_copy_to_readers()`.execute(db);
  await sql`DROP TRIGGER case_readers_copy_case ON case_readers`.execute(db);
  await sql`DROP FUNCTION case_readers_copy_case()`.execute(db);
  await sql`
    ALTER TABLE case_readers
      DROP COLUMN case_created_at, DROP COLUMN case_kind, DROP COLUMN case_status, DROP COLUMN case_assignee_id, DROP COLUMN case_clock_due_at`.execute(
    db,
  );
  await sql`DROP FUNCTION case_clock_due_at(timestamptz, timestamptz, timestamptz, timestamptz)`.execute(db);
}
