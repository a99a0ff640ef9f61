import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. The CNCF CoC Committee's central record (issue 11 §4):
// the notices sent to the committee (their ciphertext kept only until mailed), the legal
// consultations a serious remedy needs, and a CoC remedy's typed fields besides its kind.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cncf_notices')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage IN ('incident', 'resolution')`))
    .addColumn('committee_key_id', 'uuid', (c) => c.notNull().references('committee_keys.id'))
    .addColumn('written_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    // Encrypted in the writer's browser to the committee's key; cleared when the mail has gone.
    .addColumn('armored', 'text', (c) => c.check(sql`armored IS NULL OR length(armored) <= 200000`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addCheckConstraint('cncf_notices_sent_no_ciphertext', sql`sent_at IS NULL OR armored IS NULL`)
    .addCheckConstraint('cncf_notices_waiting_ciphertext', sql`sent_at IS NOT NULL OR armored IS NOT NULL`)
    .execute();
  // One waiting per stage; the sent ones stay as the record (a case resolved again is notified again).
  await db.schema
    .createIndex('cncf_notices_one_waiting')
    .on('cncf_notices')
    .columns(['case_id', 'stage'])
    .unique()
    .where(sql.ref('sent_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('cncf_legal_consultations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('consulted_on', 'date', (c) => c.notNull())
    .addColumn('counsel', 'text', (c) =>
      c.notNull().check(sql`counsel IN ('cncf-legal', 'lf-counsel', 'other-counsel')`),
    )
    // The optional note: a comment on the case, encrypted to its readers.
    .addColumn('note_message_id', 'uuid', (c) => c.references('messages.id').onDelete('set null'))
    .addColumn('recorded_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('cncf_legal_consultations_case')
    .on('cncf_legal_consultations')
    .column('case_id')
    .execute();

  // What a CoC remedy carries besides cases.resolution: written with each resolution.
  await db.schema
    .createTable('coc_remedies')
    .addColumn('case_id', 'uuid', (c) => c.primaryKey().references('cases.id').onDelete('cascade'))
    .addColumn('months', 'smallint', (c) => c.check(sql`months IS NULL OR months BETWEEN 1 AND 1200`))
    .addColumn('named_publicly', 'boolean', (c) => c.notNull())
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('coc_remedies').execute();
  await db.schema.dropTable('cncf_legal_consultations').execute();
  await db.schema.dropTable('cncf_notices').execute();
}
