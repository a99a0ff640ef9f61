import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. One row per used submission token of the report
// form (and the JSON API's idempotency token): inserted in the statement that stores the case, so a
// token makes at most one case. The token itself is never stored, only its SHA-256. A no-JavaScript
// submission's receipt waits here, sealed under a key derived from the token and the server's
// secret, only until its confirmation page is shown once (minutes at most).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('submission_tokens')
    .addColumn('token_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    // The token's own expiry: a row may go once no form can carry its token any more.
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sealed_receipt', 'bytea')
    .addColumn('seal_until', 'timestamptz')
    .addCheckConstraint('submission_tokens_seal_has_end', sql`sealed_receipt IS NULL OR seal_until IS NOT NULL`)
    .execute();
  await db.schema.createIndex('submission_tokens_expiry').on('submission_tokens').column('expires_at').execute();
  await db.schema.createIndex('submission_tokens_case').on('submission_tokens').column('case_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('submission_tokens').execute();
}
