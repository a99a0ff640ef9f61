import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. Members sign in with a password and TOTP. Every bearer
// secret (invitation link, session cookie, recovery code) is stored only as its SHA-256: each has at
// least 80 random bits, so the hash cannot be reversed and a database dump lets nobody sign in.

export async function up(db: Kysely<any>): Promise<void> {
  // One open invitation per member: a new one replaces the old. It carries the enrolment's progress
  // (password chosen, TOTP secret shown) until the member confirms a code, then it is deleted.
  await db.schema
    .createTable('invitations')
    .addColumn('member_id', 'uuid', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    .addColumn('token_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('pending_password_hash', 'text')
    .addColumn('pending_totp_secret', 'text')
    .execute();

  await db.schema
    .createTable('member_credentials')
    .addColumn('member_id', 'uuid', (c) => c.primaryKey().references('members.id').onDelete('cascade'))
    // argon2id, PHC string (parameters and salt included).
    .addColumn('password_hash', 'text', (c) => c.notNull())
    // Base32 TOTP secret; read only by the sign-in query.
    .addColumn('totp_secret', 'text', (c) => c.notNull())
    // The last TOTP time step accepted: a code is never accepted twice.
    .addColumn('totp_last_step', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('code_hash', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('recovery_codes_pkey', ['member_id', 'code_hash'])
    .execute();

  // Named member_sessions: session_keys already means OpenPGP session-key packets.
  await db.schema
    .createTable('member_sessions')
    .addColumn('id_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_sessions_member').on('member_sessions').column('member_id').execute();

  // Failed sign-ins per account, shared by every instance. Keyed by a hash of the normalized e-mail,
  // not by member, so that an address with no account locks out exactly like a real one.
  await db.schema
    .createTable('sign_in_throttle')
    .addColumn('account_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sign_in_throttle', 'member_sessions', 'recovery_codes', 'member_credentials', 'invitations']) {
    await db.schema.dropTable(table).execute();
  }
}
