import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The end of a case's life (issue 12 §3): when its
// retention clock started, whom its deletion was announced to and when, when its content was
// deleted, and the legal holds that stop the deletion.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cases')
    // The case's last status change or new message: a closed case's content is kept from here.
    .addColumn('retention_started_at', 'timestamptz')
    // The deletion date the readers were warned about, and when: a deletion comes a week after its warning at the earliest.
    .addColumn('retention_warned_for', 'timestamptz')
    .addColumn('retention_warned_at', 'timestamptz')
    // Set once: the bodies, key packets, locked reporter key and reply addresses are gone; the row stays.
    .addColumn('content_deleted_at', 'timestamptz')
    .execute();
  // The reporter's locked private key goes with the content.
  await sql`ALTER TABLE cases ALTER COLUMN reporter_locked_key DROP NOT NULL`.execute(db);
  await sql`
    ALTER TABLE cases ADD CONSTRAINT cases_deleted_without_key
      CHECK (content_deleted_at IS NULL OR reporter_locked_key IS NULL)`.execute(db);
  await sql`
    ALTER TABLE cases ADD CONSTRAINT cases_key_until_deleted
      CHECK (content_deleted_at IS NOT NULL OR reporter_locked_key IS NOT NULL)`.execute(db);
  // Cases closed before this migration: their clock starts at their last change.
  await sql`UPDATE cases SET retention_started_at = updated_at`.execute(db);
  await sql`ALTER TABLE cases ALTER COLUMN retention_started_at SET DEFAULT now()`.execute(db);
  await sql`ALTER TABLE cases ALTER COLUMN retention_started_at SET NOT NULL`.execute(db);

  await db.schema
    .createTable('case_legal_holds')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('placed_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('placed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lifted_at', 'timestamptz')
    .addColumn('lifted_by_proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .execute();
  // One hold in force per case at a time.
  await sql`CREATE UNIQUE INDEX case_legal_holds_one_in_force ON case_legal_holds (case_id) WHERE lifted_at IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_legal_holds').execute();
  await sql`ALTER TABLE cases DROP CONSTRAINT cases_key_until_deleted`.execute(db);
  await sql`ALTER TABLE cases DROP CONSTRAINT cases_deleted_without_key`.execute(db);
  await db.schema
    .alterTable('cases')
    .dropColumn('content_deleted_at')
    .dropColumn('retention_warned_at')
    .dropColumn('retention_warned_for')
    .dropColumn('retention_started_at')
    .execute();
}
