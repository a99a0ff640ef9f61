import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The embargo and the distributors (issue 12 §2): the
// distributors list (kept apart from the intake, with each one's key and acceptance of the embargo
// policy), what was sent to whom, the reminders sent before an embargo date, and recorded leaks.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('distributors')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation', 'text', (c) => c.notNull().check(sql`length(organisation) BETWEEN 1 AND 200`))
    .addColumn('email', 'text', (c) => c.notNull().check(sql`length(email) BETWEEN 3 AND 320`))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('encryption_key_id', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('armored', 'text', (c) => c.notNull())
    // The key's user IDs do not name the address, and a manager said so on purpose.
    .addColumn('uid_override', 'boolean', (c) => c.notNull().defaultTo(false))
    // The acceptance of the embargo policy: the day the distributor accepted it, which version, who recorded it.
    .addColumn('accepted_on', 'date')
    .addColumn('policy_version', 'text', (c) => c.check(sql`policy_version IS NULL OR length(policy_version) <= 500`))
    .addColumn('acceptance_recorded_by', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('acceptance_recorded_at', 'timestamptz')
    .addColumn('added_by', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Removed distributors stay for the record of what was sent to them; they get nothing more.
    .addColumn('removed_at', 'timestamptz')
    .execute();
  await sql`CREATE UNIQUE INDEX distributors_one_email ON distributors (lower(email)) WHERE removed_at IS NULL`.execute(
    db,
  );

  await db.schema
    .createTable('distributor_sendings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('distributor_id', 'uuid', (c) => c.notNull().references('distributors.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('advance', 'release')`))
    .addColumn('planned_on', 'date', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    // The armored message to the distributor's key, kept only until it is mailed (or given up on).
    .addColumn('ciphertext', 'text')
    // Not mailed for days (the relay kept refusing it): its ciphertext is dropped, and it may be sent again.
    .addColumn('given_up_at', 'timestamptz')
    .execute();
  await sql`
    CREATE UNIQUE INDEX distributor_sendings_once
      ON distributor_sendings (case_id, distributor_id, kind, planned_on) WHERE given_up_at IS NULL`.execute(db);

  await db.schema
    .createTable('embargo_reminders')
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('embargo_on', 'date', (c) => c.notNull())
    .addColumn('days_before', 'integer', (c) => c.notNull().check(sql`days_before IN (1, 7)`))
    .addColumn('reminded_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('embargo_reminders_pk', ['case_id', 'embargo_on', 'days_before'])
    .execute();

  await db.schema
    .createTable('embargo_leaks')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    // null: the source is unknown.
    .addColumn('distributor_id', 'uuid', (c) => c.references('distributors.id'))
    .addColumn('leaked_on', 'date', (c) => c.notNull())
    // What leaked: a message encrypted to the readers (role embargo-leak).
    .addColumn('message_id', 'uuid', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('recorded_by', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await sql`ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_role_check`.execute(db);
  await sql`
    ALTER TABLE messages ADD CONSTRAINT messages_role_check
      CHECK (role IN ('report', 'attachment', 'comment', 'reply', 'reporter-reply', 'committee-decision',
                      'meeting-minutes', 'advisory-draft', 'embargo-leak'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM messages WHERE role = 'embargo-leak'`.execute(db);
  await sql`ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_role_check`.execute(db);
  await sql`
    ALTER TABLE messages ADD CONSTRAINT messages_role_check
      CHECK (role IN ('report', 'attachment', 'comment', 'reply', 'reporter-reply', 'committee-decision',
                      'meeting-minutes', 'advisory-draft'))`.execute(db);
  await db.schema.dropTable('embargo_leaks').execute();
  await db.schema.dropTable('embargo_reminders').execute();
  await db.schema.dropTable('distributor_sendings').execute();
  await db.schema.dropTable('distributors').execute();
}
