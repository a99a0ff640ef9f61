import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. Closed meetings on a case (issue 11 §1): the time,
// duration and link the caller gave (typed fields the server needs to send the invitations; never case
// content), who was invited and removed (and why), who attended, and which encrypted messages are its
// minutes. `sequence` is the iCalendar SEQUENCE: the meeting's highest, and each invitee's own copy.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('meetings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull().check(sql`duration_minutes BETWEEN 5 AND 720`))
    .addColumn('link', 'text', (c) => c.notNull().check(sql`length(link) <= 500 AND link LIKE 'https://%'`))
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('called_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('attendance_recorded_at', 'timestamptz')
    .addColumn('attendance_recorded_by', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('meetings_by_case').on('meetings').columns(['case_id', 'starts_at']).execute();

  await db.schema
    .createTable('meeting_invitees')
    .addColumn('meeting_id', 'uuid', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('invited_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removed_at', 'timestamptz')
    .addColumn('removed_reason', 'text', (c) =>
      c.check(sql`removed_reason IS NULL OR removed_reason IN ('hard-conflict', 'no-longer-invited')`),
    )
    // The SEQUENCE of this invitee's copy of the event, and the last one mailed to them (null: none yet).
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('mailed_sequence', 'integer')
    .addColumn('attended', 'boolean')
    .addPrimaryKeyConstraint('meeting_invitees_pk', ['meeting_id', 'member_id'])
    .execute();
  await db.schema.createIndex('meeting_invitees_by_member').on('meeting_invitees').column('member_id').execute();

  await db.schema
    .createTable('meeting_minutes')
    .addColumn('message_id', 'uuid', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
    .addColumn('meeting_id', 'uuid', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('meeting_minutes').execute();
  await db.schema.dropTable('meeting_invitees').execute();
  await db.schema.dropTable('meetings').execute();
}
