import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. How far each member has read each case they may
// read, for the "new since you last looked" marks (issue 8): one row per reader row, read and written
// only for that member. It holds times, an id and flags, never content.
//
// `news` says what arrived from others since the member last opened the case (bits: 1 the report or
// an attachment, 2 a comment, 4 a reply to the reporter, 8 a message from the reporter), kept by the
// triggers below, so that the list marks a page's rows and counts a member's unread cases from this
// table alone (a partial index of the rows with news), whatever the number of cases. A row belongs
// to its reader row: revoking access deletes it, so no figure ever counts a case the member may not read.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_reads')
    .addColumn('member_id', 'uuid', (c) => c.notNull())
    .addColumn('case_id', 'uuid', (c) => c.notNull())
    // The newest message the member was shown when they last opened the case (null: none yet).
    .addColumn('seen_message_at', 'timestamptz')
    .addColumn('seen_message_id', 'uuid')
    // null: never opened.
    .addColumn('opened_at', 'timestamptz')
    .addColumn('news', 'smallint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('case_reads_pkey', ['member_id', 'case_id'])
    .addForeignKeyConstraint(
      'case_reads_reader',
      ['case_id', 'member_id'],
      'case_readers',
      ['case_id', 'member_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('case_reads_case').on('case_reads').columns(['case_id', 'member_id']).execute();
  await sql`CREATE INDEX case_reads_news ON case_reads (member_id) WHERE news <> 0`.execute(db);

  await sql`
    CREATE FUNCTION message_news_flag(role text) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE role WHEN 'comment' THEN 2 WHEN 'reply' THEN 4 WHEN 'reporter-reply' THEN 8 ELSE 1 END`.execute(db);

  // A new reader: everything others wrote on the case so far is new to them.
  await sql`
    CREATE FUNCTION case_readers_start_reads() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO case_reads (member_id, case_id, news)
        SELECT a.member_id, a.case_id,
               COALESCE((SELECT bit_or(message_news_flag(m.role)) FROM messages m
                         WHERE m.case_id = a.case_id AND m.author_member_id IS DISTINCT FROM a.member_id), 0)
        FROM added a
        ON CONFLICT (member_id, case_id) DO NOTHING;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER case_readers_start_reads AFTER INSERT ON case_readers
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION case_readers_start_reads()`.execute(db);

  // A new message is news to every reader of its case but its author.
  await sql`
    CREATE FUNCTION messages_mark_news() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE case_reads cr SET news = cr.news | n.flags
        FROM (SELECT r.member_id, r.case_id, bit_or(message_news_flag(a.role)) AS flags
                FROM added a JOIN case_reads r ON r.case_id = a.case_id AND r.member_id IS DISTINCT FROM a.author_member_id
                GROUP BY r.member_id, r.case_id) n
        WHERE cr.member_id = n.member_id AND cr.case_id = n.case_id AND (cr.news | n.flags) <> cr.news;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER messages_mark_news AFTER INSERT ON messages
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION messages_mark_news()`.execute(db);

  // Readers of the cases already there start with everything read: nothing is new since the upgrade.
  await sql`
    INSERT INTO case_reads (member_id, case_id, seen_message_at, seen_message_id, opened_at)
      SELECT r.member_id, r.case_id, last.created_at, last.id, now()
      FROM case_readers r
      LEFT JOIN LATERAL (SELECT m.id, m.created_at FROM messages m WHERE m.case_id = r.case_id ORDER BY m.created_at DESC, m.id DESC LIMIT 1) last ON true`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER messages_mark_news ON messages`.execute(db);
  await sql`DROP FUNCTION messages_mark_news()`.execute(db);
  await sql`DROP TRIGGER case_readers_start_reads ON case_readers`.execute(db);
  await sql`DROP FUNCTION case_readers_start_reads()`.execute(db);
  await sql`DROP FUNCTION message_news_flag(text)`.execute(db);
  await db.schema.dropTable('case_reads').execute();
}
