import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The transparency report (issue 11 §5): when a CoC
// case's outcome was recorded, and the per-period note the approvers write (ciphertext only).
export async function up(db: Kysely<any>): Promise<void> {
  // Set by the database wherever a resolution is recorded (a reader's move, a decision's remedy),
  // cleared with it when the case is reopened: no code path can forget it.
  await db.schema.alterTable('cases').addColumn('resolved_at', 'timestamptz').execute();
  await sql`
    CREATE FUNCTION cases_resolved_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.resolution IS NULL THEN
        NEW.resolved_at := NULL;
      ELSIF OLD.resolution IS NULL AND NEW.resolved_at IS NOT DISTINCT FROM OLD.resolved_at THEN
        NEW.resolved_at := coalesce(NEW.updated_at, now());
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER cases_resolved_at BEFORE UPDATE OF resolution, resolved_at ON cases
      FOR EACH ROW EXECUTE FUNCTION cases_resolved_at()`.execute(db);
  // Cases resolved before this migration: the time of their last move to "resolved", else their last change.
  await sql`
    UPDATE cases c SET resolved_at = coalesce(
      (SELECT max(a.created_at) FROM audit_log a
        WHERE a.case_id = c.id AND a.action = 'case.status-changed' AND a.details->>'to' = 'resolved'),
      c.updated_at)
     WHERE c.resolution IS NOT NULL`.execute(db);
  // The report's ranges: a period's resolutions and acknowledgements without a walk of every case.
  await sql`CREATE INDEX cases_resolved_at ON cases (resolved_at) WHERE resolved_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX cases_acknowledged_at ON cases (acknowledged_at) WHERE acknowledged_at IS NOT NULL`.execute(
    db,
  );

  // One note per period (its first month, "2026-01", and its length), encrypted in an approver's browser to the
  // approvers of the time: the body once, and each approver key's session-key packet.
  await db.schema
    .createTable('transparency_notes')
    .addColumn('period_start', 'text', (c) => c.notNull().check(sql`period_start ~ '^[0-9]{4}-[0-9]{2}$'`))
    .addColumn('period_months', 'integer', (c) => c.notNull().check(sql`period_months BETWEEN 1 AND 12`))
    .addColumn('body', 'bytea', (c) => c.notNull())
    .addColumn('session_keys', 'jsonb', (c) => c.notNull())
    .addColumn('saved_by', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('saved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('transparency_notes_pkey', ['period_start', 'period_months'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('transparency_notes').execute();
  await sql`DROP INDEX cases_acknowledged_at`.execute(db);
  await sql`DROP TRIGGER cases_resolved_at ON cases`.execute(db);
  await sql`DROP FUNCTION cases_resolved_at()`.execute(db);
  await db.schema.alterTable('cases').dropColumn('resolved_at').execute();
}
