import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The triage facts a case carries in the clear
// (DESIGN §2: status, assignee, severity once set, dates) — never a word of its content.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cases')
    .addColumn('assignee_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('expedited', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('resolution', 'text')
    .addColumn('duplicate_of', 'text')
    .addColumn('severity_vector', 'text')
    .addColumn('severity_score', 'numeric(3, 1)')
    .addColumn('severity_rating', 'text')
    .addColumn('cwe', 'text')
    .addColumn('affected_versions', 'text')
    .addColumn('embargo_until', 'date')
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('triaged_at', 'timestamptz')
    // Response-time targets, fixed when the case arrives (business days counted then).
    .addColumn('acknowledge_due_at', 'timestamptz')
    .addColumn('triage_due_at', 'timestamptz')
    // When readers were told the case is overdue, so that they are told once.
    .addColumn('escalated_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('cases_assignee').on('cases').column('assignee_id').execute();
  await sql`CREATE INDEX cases_open_unacknowledged ON cases (created_at) WHERE acknowledged_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX cases_open_unacknowledged`.execute(db);
  await db.schema.dropIndex('cases_assignee').execute();
  for (const column of [
    'assignee_id',
    'expedited',
    'resolution',
    'duplicate_of',
    'severity_vector',
    'severity_score',
    'severity_rating',
    'cwe',
    'affected_versions',
    'embargo_until',
    'acknowledged_at',
    'triaged_at',
    'acknowledge_due_at',
    'triage_due_at',
    'escalated_at',
  ]) {
    await db.schema.alterTable('cases').dropColumn(column).execute();
  }
}
