import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The case list at 1,000,000 cases (issue 13 §3.4: p95
// under 20 ms). Its counts per status were an index-only scan of the member's reader rows: 700,000
// entries for an SRT member, 35–90 ms. So the counts are kept, exactly, in a table of their own: per
// member, the number of reader rows for each (kind, status, assignee) their copies hold (2026-11-24-06),
// changed by statement triggers on case_readers in the same transaction as the rows, so that any
// snapshot sees counts and rows agree. A reader row whose copies are not filled in yet (status null:
// the case is inserted by the same statement) counts once its copies arrive.
//
// Every submission adds one to the same few counts (its readers' "new" row): one row per count would
// make concurrent submissions wait for each other's commit on it. So each count is spread over
// COUNT_SLOTS rows, a transaction writing to the slot of its backend, and a read sums the slots. A
// slot may go negative (a case counted in one slot and moved by a backend of another): only the sum
// means anything. Each statement writes its rows in key order, so two statements never lock them in
// crossed order.
const COUNT_SLOTS = 16;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE case_reader_counts (
      member_id uuid NOT NULL REFERENCES members(id) ON DELETE CASCADE,
      case_kind text NOT NULL,
      case_status text NOT NULL,
      case_assignee_id uuid,
      slot smallint NOT NULL,
      n bigint NOT NULL,
      CONSTRAINT case_reader_counts_key UNIQUE NULLS NOT DISTINCT (member_id, case_kind, case_status, case_assignee_id, slot)
    )`.execute(db);

  // Deltas of one statement: +1 per new row, −1 per old row (of those with their copies), summed per key.
  const apply = (rows: string) => `
      INSERT INTO case_reader_counts AS c (member_id, case_kind, case_status, case_assignee_id, slot, n)
        SELECT member_id, case_kind, case_status, case_assignee_id, pg_backend_pid() % ${COUNT_SLOTS}, sum(d)
          FROM (${rows}) AS deltas
          -- A member being deleted takes their counts along (the foreign key's cascade).
          WHERE member_id IN (SELECT id FROM members)
          GROUP BY member_id, case_kind, case_status, case_assignee_id
          HAVING sum(d) <> 0
          ORDER BY member_id, case_kind, case_status, case_assignee_id
        ON CONFLICT ON CONSTRAINT case_reader_counts_key DO UPDATE SET n = c.n + EXCLUDED.n;`;
  const added = `SELECT member_id, case_kind, case_status, case_assignee_id, 1 AS d FROM added WHERE case_status IS NOT NULL`;
  const removed = `SELECT member_id, case_kind, case_status, case_assignee_id, -1 AS d FROM removed WHERE case_status IS NOT NULL`;
  const functions: [name: string, rows: string][] = [
    ['case_reader_counts_insert', added],
    ['case_reader_counts_update', `${added} UNION ALL ${removed}`],
    ['case_reader_counts_delete', removed],
  ];
  for (const [name, rows] of functions) {
    await sql
      .raw(
        `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN ${apply(rows)}
           RETURN NULL;
         END $$`,
      )
      .execute(db);
  }
  // Transition tables allow one event per trigger and no column list; the update function ignores
  // updates that change no counted copy (their +1 and −1 cancel).
  await sql`
    CREATE TRIGGER case_reader_counts_insert AFTER INSERT ON case_readers
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION case_reader_counts_insert()`.execute(db);
  await sql`
    CREATE TRIGGER case_reader_counts_update AFTER UPDATE ON case_readers
      REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION case_reader_counts_update()`.execute(
    db,
  );
  await sql`
    CREATE TRIGGER case_reader_counts_delete AFTER DELETE ON case_readers
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION case_reader_counts_delete()`.execute(db);

  // The rows already there (CREATE TRIGGER's lock keeps writers out until this commits).
  await sql`
    INSERT INTO case_reader_counts (member_id, case_kind, case_status, case_assignee_id, slot, n)
      SELECT member_id, case_kind, case_status, case_assignee_id, 0, count(*)
        FROM case_readers WHERE case_status IS NOT NULL
        GROUP BY member_id, case_kind, case_status, case_assignee_id`.execute(db);

  // The counts index served only the counts. In its place, at the same cost per submission, the
  // member's entries by status in keyset order: a page of a rare status (needs-info: a few hundred
  // of 700,000) is then read directly instead of filtered out of a walk of all of them.
  await sql`DROP INDEX case_readers_counts`.execute(db);
  await sql`
    CREATE INDEX case_readers_list_by_status ON case_readers (member_id, case_status, case_created_at, case_id)
      INCLUDE (case_kind, case_assignee_id)`.execute(db);

  // A new case's reader rows come with their copies (db/new-case.queries.ts), inserted by the same
  // statement as the case: the case is not visible here yet, and the copies the row came with stay
  // until the case's insert trigger compares them at the end of the statement (and corrects any that
  // differ). Before, they were nulled here and every reader row written a second time by that trigger.
  await sql`
    CREATE OR REPLACE FUNCTION case_readers_copy_case() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      c record;
    BEGIN
      SELECT created_at, kind, status, assignee_id, case_clock_due_at(acknowledged_at, acknowledge_due_at, triaged_at, triage_due_at) AS due
        INTO c FROM cases WHERE id = NEW.case_id FOR SHARE;
      IF FOUND THEN
        NEW.case_created_at := c.created_at;
        NEW.case_kind := c.kind;
        NEW.case_status := c.status;
        NEW.case_assignee_id := c.assignee_id;
        NEW.case_clock_due_at := c.due;
      END IF;
      RETURN NEW;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION case_readers_copy_case() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      SELECT created_at, kind, status, assignee_id, case_clock_due_at(acknowledged_at, acknowledge_due_at, triaged_at, triage_due_at)
        INTO NEW.case_created_at, NEW.case_kind, NEW.case_status, NEW.case_assignee_id, NEW.case_clock_due_at
        FROM cases WHERE id = NEW.case_id FOR SHARE;
      RETURN NEW;
    END $$`.execute(db);
  await sql`DROP INDEX case_readers_list_by_status`.execute(db);
  await sql`CREATE INDEX case_readers_counts ON case_readers (member_id, case_status, case_kind, case_assignee_id)`.execute(
    db,
  );
  for (const name of ['case_reader_counts_insert', 'case_reader_counts_update', 'case_reader_counts_delete']) {
    await sql.raw(`DROP TRIGGER ${name} ON case_readers`).execute(db);
    await sql.raw(`DROP FUNCTION ${name}()`).execute(db);
  }
  await sql`DROP TABLE case_reader_counts`.execute(db);
}
