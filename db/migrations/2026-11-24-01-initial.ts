import { Kysely, sql } from 'kysely';

// Frozen in time: this migration imports nothing from the app and must never change once released.

export async function up(db: Kysely<any>): Promise<void> {
  // Secrets the instances share (CSRF and session signing keys): several instances, one database.
  await db.schema
    .createTable('app_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('members')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role IN ('approver', 'srt', 'liaison')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`CREATE UNIQUE INDEX members_email_key ON members (lower(email))`.execute(db);

  await db.schema
    .createTable('member_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('encryption_key_id', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('armored', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await sql`CREATE UNIQUE INDEX member_keys_one_active ON member_keys (member_id) WHERE retired_at IS NULL`.execute(db);

  await db.schema
    .createTable('cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('security', 'coc')`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel IN ('web', 'web-no-js', 'email')`))
    .addColumn('receipt_lookup', 'bytea', (c) => c.notNull().unique())
    .addColumn('reporter_fingerprint', 'text', (c) => c.notNull())
    .addColumn('reporter_public_key', 'text', (c) => c.notNull())
    .addColumn('reporter_locked_key', 'text', (c) => c.notNull())
    // Millisecond precision: the dashboard pages by (created_at, id) through JavaScript dates.
    .addColumn('created_at', 'timestamptz', (c) =>
      c.notNull().defaultTo(sql`date_trunc('milliseconds', clock_timestamp())`),
    )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('cases_created_at').on('cases').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('case_readers')
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('case_readers_pkey', ['case_id', 'member_id'])
    .execute();
  await db.schema.createIndex('case_readers_member').on('case_readers').columns(['member_id', 'case_id']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role IN ('report', 'attachment', 'comment', 'reply', 'reporter-reply')`),
    )
    .addColumn('author_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('body', 'bytea', (c) => c.notNull())
    // clock_timestamp, not now(): messages written in one transaction keep their order.
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
  await db.schema.createIndex('messages_case').on('messages').columns(['case_id', 'created_at']).execute();

  await db.schema
    .createTable('session_keys')
    .addColumn('message_id', 'uuid', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('recipient_fingerprint', 'text', (c) => c.notNull())
    .addColumn('member_key_id', 'uuid', (c) => c.references('member_keys.id').onDelete('cascade'))
    .addColumn('packet', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_keys_pkey', ['message_id', 'recipient_fingerprint'])
    .execute();
  await db.schema.createIndex('session_keys_member_key').on('session_keys').column('member_key_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['session_keys', 'messages', 'case_readers', 'cases', 'member_keys', 'members', 'app_secrets']) {
    await db.schema.dropTable(table).execute();
  }
}
