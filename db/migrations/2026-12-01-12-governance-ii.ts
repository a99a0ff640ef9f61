import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. Groundwork of Governance II and of disclosure and
// retention (issues 11, 12): what a proposal carries besides a member or a conflict (a setting's
// new value, the SRT's new team, a CoC remedy), the charter's settings, and two new message roles.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('proposals')
    // What the decision is about beyond a member or a conflict: the setting's key, say. One open at a time per key.
    .addColumn('subject_key', 'text', (c) => c.check(sql`subject_key IS NULL OR length(subject_key) <= 100`))
    // What the decision would do, as the server needs it to carry it out: never case content.
    .addColumn('payload', 'jsonb')
    .execute();
  await sql`ALTER TABLE proposals DROP CONSTRAINT IF EXISTS proposals_kind_check`.execute(db);
  await sql`
    ALTER TABLE proposals ADD CONSTRAINT proposals_kind_check CHECK (kind IN (
      'refer', 'appoint-liaison', 'end-liaison', 'lift-conflict', 'downgrade-conflict', 'extend-srt-access',
      'appoint-srt', 'srt-reviewed', 'change-setting', 'resolve-coc', 'publish-advisory', 'lift-legal-hold'))`.execute(
    db,
  );
  await sql`DROP INDEX proposals_one_open`.execute(db);
  await sql`
    CREATE UNIQUE INDEX proposals_one_open ON proposals (
      coalesce(case_id, '00000000-0000-0000-0000-000000000000'::uuid), kind,
      coalesce(subject_member_id, '00000000-0000-0000-0000-000000000000'::uuid),
      coalesce(subject_conflict_id, '00000000-0000-0000-0000-000000000000'::uuid),
      coalesce(subject_key, '')
    ) WHERE status = 'open'`.execute(db);

  // The values that encode the governance, changed by decision once approvers exist (issue 11 §3).
  // A key absent here has its default (the environment's value when first seeded, or the built-in one).
  await db.schema
    .createTable('charter_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // 'seed' (first start, from the environment), 'operator' (the CLI, before any approver signed in), 'decision'.
    .addColumn('changed_by', 'text', (c) => c.notNull().check(sql`changed_by IN ('seed', 'operator', 'decision')`))
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .execute();

  await sql`ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_role_check`.execute(db);
  await sql`
    ALTER TABLE messages ADD CONSTRAINT messages_role_check
      CHECK (role IN ('report', 'attachment', 'comment', 'reply', 'reporter-reply', 'committee-decision',
                      'meeting-minutes', 'advisory-draft'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_role_check`.execute(db);
  await sql`
    ALTER TABLE messages ADD CONSTRAINT messages_role_check
      CHECK (role IN ('report', 'attachment', 'comment', 'reply', 'reporter-reply', 'committee-decision'))`.execute(db);
  await db.schema.dropTable('charter_settings').execute();
  await sql`ALTER TABLE proposals DROP CONSTRAINT IF EXISTS proposals_kind_check`.execute(db);
  await sql`
    ALTER TABLE proposals ADD CONSTRAINT proposals_kind_check CHECK (kind IN (
      'refer', 'appoint-liaison', 'end-liaison', 'lift-conflict', 'downgrade-conflict', 'extend-srt-access'))`.execute(
    db,
  );
  await sql`DROP INDEX proposals_one_open`.execute(db);
  await sql`
    CREATE UNIQUE INDEX proposals_one_open ON proposals (
      coalesce(case_id, '00000000-0000-0000-0000-000000000000'::uuid), kind,
      coalesce(subject_member_id, '00000000-0000-0000-0000-000000000000'::uuid),
      coalesce(subject_conflict_id, '00000000-0000-0000-0000-000000000000'::uuid)
    ) WHERE status = 'open'`.execute(db);
  await db.schema.alterTable('proposals').dropColumn('payload').dropColumn('subject_key').execute();
}
