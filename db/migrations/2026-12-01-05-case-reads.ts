import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. How far each member has read each case, for the
// "new since you last looked" marks: one row per member and case, written only for that member,
// read only for that member. It holds times and an id, never content.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_reads')
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    // The newest message the member was shown when they last opened the case (null: it had none).
    .addColumn('seen_message_at', 'timestamptz')
    .addColumn('seen_message_id', 'uuid')
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('case_reads_pkey', ['member_id', 'case_id'])
    .execute();
  await db.schema.createIndex('case_reads_case').on('case_reads').column('case_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_reads').execute();
}
