import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. Issue 7.10: a lock-out that anyone could impose on any
// member (five wrong passwords from anywhere) becomes a lock per account and client, which only that
// client suffers; the account-wide counter stays, but only refuses what lacks the second factor, and
// a second counter of wrong codes typed with the right password closes the account to everyone: only
// someone who knows the password can cause that.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_client_throttle')
    .addColumn('account_hash', 'bytea', (c) => c.notNull())
    // A keyed hash of the account and the client's address: no address is stored.
    .addColumn('client_hash', 'bytea', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .addPrimaryKeyConstraint('sign_in_client_throttle_pkey', ['account_hash', 'client_hash'])
    .execute();

  await sql`
    ALTER TABLE sign_in_throttle
      ADD COLUMN second_factor_failures integer NOT NULL DEFAULT 0,
      ADD COLUMN second_factor_window_started_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN second_factor_locked_until timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE sign_in_throttle
      DROP COLUMN second_factor_failures,
      DROP COLUMN second_factor_window_started_at,
      DROP COLUMN second_factor_locked_until`.execute(db);
  await db.schema.dropTable('sign_in_client_throttle').execute();
}
