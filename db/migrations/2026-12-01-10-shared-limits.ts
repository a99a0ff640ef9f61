import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. Issue 13 §1: several app instances on one PostgreSQL.
// Rate limits count here instead of in each process, so that N instances do not allow N times the
// limit; and a change of the intake keys is announced (NOTIFY) to every instance at once.
export async function up(db: Kysely<any>): Promise<void> {
  // UNLOGGED: a count is worth no WAL, a crash that empties it only resets the windows, and a
  // standby need not replay every hit of a flood.
  await sql`
    CREATE UNLOGGED TABLE rate_limit_counts (
      limiter text NOT NULL,
      -- A keyed hash of the client (its address, IPv6 by /56): no address is stored.
      client_hash bytea NOT NULL,
      hits integer NOT NULL,
      resets_at timestamptz NOT NULL,
      PRIMARY KEY (limiter, client_hash)
    )`.execute(db);
  await sql`CREATE INDEX rate_limit_counts_resets_at ON rate_limit_counts (resets_at)`.execute(db);

  await sql`
    CREATE FUNCTION notify_intake_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('intake_keys_changed', '');
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER intake_keys_changed AFTER INSERT OR UPDATE OR DELETE ON intake_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_intake_keys_changed()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER intake_keys_changed ON intake_keys`.execute(db);
  await sql`DROP FUNCTION notify_intake_keys_changed()`.execute(db);
  await sql`DROP TABLE rate_limit_counts`.execute(db);
}
