import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The published intake key (e-mail intake) and each
// member's choice about outbound mail. Nothing here is report content: the intake key's private
// half is stored only locked under the operator's passphrase (OpenPGP S2K).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('intake_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    // null once the grace period after rotation is over: the key is then destroyed.
    .addColumn('locked_private_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    // A retired key still decrypts incoming mail until then.
    .addColumn('decrypt_until', 'timestamptz')
    .addCheckConstraint('intake_keys_retired_has_grace', sql`(retired_at IS NULL) = (decrypt_until IS NULL)`)
    .execute();
  await sql`CREATE UNIQUE INDEX intake_keys_one_active ON intake_keys ((retired_at IS NULL)) WHERE retired_at IS NULL`.execute(
    db,
  );

  await db.schema
    .createTable('member_mail_settings')
    .addColumn('member_id', 'uuid', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    // Off by default: content in mailboxes outlives the project's retention.
    .addColumn('deliver_content', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('member_mail_settings').execute();
  await db.schema.dropTable('intake_keys').execute();
}
