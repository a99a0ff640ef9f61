import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The append-only, hash-chained audit log (DESIGN §3 rule 6).
//
// * No foreign keys: a row must outlive the case or member it names (a cascade or SET NULL would be
//   an UPDATE or DELETE, which the triggers below refuse anyway).
// * The database refuses UPDATE, DELETE and TRUNCATE whoever asks; only a superuser disabling the
//   triggers can change a row, and the hash chain then shows which one.
// * The unique index on prev_hash makes a fork impossible: two rows can never name the same
//   predecessor, and only one row can start the chain (prev_hash NULL is indexed as the empty string).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('case_id', 'uuid')
    .addColumn('actor_member_id', 'uuid')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) =>
      c
        .notNull()
        .defaultTo(sql`'{}'::jsonb`)
        .check(sql`jsonb_typeof(details) = 'object'`),
    )
    // clock_timestamp, not now(): rows appended in one transaction keep distinct, ordered times.
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    // Set when the row is sealed into the chain (server/audit/audit-log.ts sealAuditLog), never changed again.
    .addColumn('prev_hash', 'bytea', (c) => c.check(sql`octet_length(prev_hash) = 32`))
    .addColumn('hash', 'bytea', (c) => c.check(sql`octet_length(hash) = 32`))
    .addColumn('chain_seq', 'bigint', (c) => c.unique())
    .execute();
  await sql`CREATE UNIQUE INDEX audit_log_one_successor ON audit_log ((coalesce(prev_hash, ''::bytea))) WHERE hash IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE hash IS NULL`.execute(db);
  await sql`CREATE INDEX audit_log_case ON audit_log (case_id, id) WHERE case_id IS NOT NULL`.execute(db);

  await sql`
    CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- The one change ever allowed: sealing an unsealed row into the chain, nothing else altered.
      IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND OLD.prev_hash IS NULL AND OLD.chain_seq IS NULL
         AND NEW.hash IS NOT NULL AND NEW.chain_seq IS NOT NULL
         AND NEW.id = OLD.id AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id
         AND NEW.actor_member_id IS NOT DISTINCT FROM OLD.actor_member_id AND NEW.actor_label = OLD.actor_label
         AND NEW.action = OLD.action AND NEW.details = OLD.details AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit rows are never changed or removed; append a new row instead.';
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`.execute(db);
  await sql`
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`.execute(db);
  // Also fire when session_replication_role = replica (logical replication, pg_restore --disable-triggers
  // aside): only an explicit ALTER TABLE ... DISABLE TRIGGER turns them off.
  await sql`ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_update_delete`.execute(db);
  await sql`ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await sql`DROP FUNCTION audit_log_refuse_change()`.execute(db);
}
