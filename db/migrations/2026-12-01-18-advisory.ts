import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. A reader's advisory draft (and the minutes of a
// closed meeting) are news to the other readers like a comment (the list says "New comment"), not
// new report material.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION message_news_flag(role text) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE role WHEN 'comment' THEN 2 WHEN 'committee-decision' THEN 2 WHEN 'advisory-draft' THEN 2
                       WHEN 'meeting-minutes' THEN 2 WHEN 'reply' THEN 4 WHEN 'reporter-reply' THEN 8 ELSE 1 END`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION message_news_flag(role text) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE role WHEN 'comment' THEN 2 WHEN 'committee-decision' THEN 2 WHEN 'reply' THEN 4
                       WHEN 'reporter-reply' THEN 8 ELSE 1 END`.execute(db);
}
