import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The per-case reply addresses an e-mail reporter's
// acknowledgement carries in Reply-To (security+TOKEN@…): only the SHA-256 of the token is kept,
// so a database dump cannot be used to write into a case. Whether an address still takes mail is
// decided from its case's state when mail arrives.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_reply_addresses')
    .addColumn('address_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('case_reply_addresses_sha256', sql`octet_length(address_hash) = 32`)
    .execute();
  await db.schema.createIndex('case_reply_addresses_case').on('case_reply_addresses').column('case_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_reply_addresses').execute();
}
