import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. A counter of the member list's changes (members,
// their keys, the SRT record: everything routing reads), bumped in the changing transaction. A new
// case's statement checks it against the version routing read, so that a member list a moment old
// is used only while it is still the current one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE member_list_version (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      version bigint NOT NULL
    )`.execute(db);
  await sql`INSERT INTO member_list_version (one, version) VALUES (true, 1)`.execute(db);
  await sql`
    CREATE FUNCTION bump_member_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE member_list_version SET version = version + 1;
      RETURN NULL;
    END $$`.execute(db);
  for (const table of ['members', 'member_keys', 'srt_members']) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_bump_member_list_version`)}
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${sql.table(table)}
        FOR EACH STATEMENT EXECUTE FUNCTION bump_member_list_version()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['members', 'member_keys', 'srt_members'])
    await sql`DROP TRIGGER ${sql.raw(`${table}_bump_member_list_version`)} ON ${sql.table(table)}`.execute(db);
  await sql`DROP FUNCTION bump_member_list_version()`.execute(db);
  await sql`DROP TABLE member_list_version`.execute(db);
}
