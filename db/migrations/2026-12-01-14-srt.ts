import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The Security Response Team as a record (issue 11 §2):
// who is on a delegated team and who put them there, when the approvers last reviewed (or appointed)
// it, and which review reminders went out. No rows on the team: the SRT is the approvers themselves.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('srt_members')
    .addColumn('member_id', 'uuid', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    .addColumn('since', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // 'operator' (the CLI, setting up a new installation) or 'decision' (appoint-srt, proposal_id).
    .addColumn('appointed_by', 'text', (c) => c.notNull().check(sql`appointed_by IN ('operator', 'decision')`))
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .addCheckConstraint('srt_members_decision_has_proposal', sql`appointed_by = 'operator' OR proposal_id IS NOT NULL`)
    .execute();
  // Every passed decision that looked at the team: a review, or an appointment (which is one too).
  await db.schema
    .createTable('srt_reviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('reviewed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('reviewed', 'appointed')`))
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('srt_reviews_latest').on('srt_reviews').column('reviewed_at').execute();
  // One row per reminder and due date: the instance whose insert wins sends it, once.
  await db.schema
    .createTable('srt_review_reminders')
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('month-before', 'overdue')`))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('srt_review_reminders_pkey', ['due_at', 'kind'])
    .execute();
  // A member who left the SRT keeps a security case only until a reader who stays can read all of
  // it (so that someone can still re-wrap it for the joiners); then access.revoked, reason left-srt.
  await db.schema
    .createTable('srt_handovers')
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('since', 'timestamptz', (c) => c.notNull())
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .addPrimaryKeyConstraint('srt_handovers_pkey', ['case_id', 'member_id'])
    .execute();
  // Today's team: the members with role srt, as the operator added them.
  await sql`
    INSERT INTO srt_members (member_id, since, appointed_by)
    SELECT id, created_at, 'operator' FROM members WHERE role = 'srt'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('srt_handovers').execute();
  await db.schema.dropTable('srt_review_reminders').execute();
  await db.schema.dropTable('srt_reviews').execute();
  await db.schema.dropTable('srt_members').execute();
}
