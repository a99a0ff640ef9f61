import { Kysely, sql } from 'kysely';

// Frozen in time: imports nothing from the app. Governance I (issue 10): who may read a case after it
// was routed (grants by re-wrapping, revocation), conflicts of interest, decisions (lazy consensus and
// votes), the CNCF CoC Committee's key, referrals to it, and liaisons. Every table holds ids, times,
// states and key material in the clear, never content: what a decision or a conflict is about is
// said by its kind and the member it names, never by words anyone typed.

export async function up(db: Kysely<any>): Promise<void> {
  // The CNCF CoC Committee's key, set by the operator; one is current, earlier ones are retired.
  await db.schema
    .createTable('committee_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('encryption_key_id', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('armored', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await sql`CREATE UNIQUE INDEX committee_keys_current ON committee_keys ((true)) WHERE retired_at IS NULL`.execute(db);

  // A packet made later than its message (a grant) says who made it and when; a packet for the
  // committee names the committee key (member_key_id stays null for the reporter's key only).
  await db.schema
    .alterTable('session_keys')
    .addColumn('committee_key_id', 'uuid', (c) => c.references('committee_keys.id').onDelete('cascade'))
    .addColumn('granted_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('granted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('session_keys_committee_key').on('session_keys').column('committee_key_id').execute();

  // Why a member reads a case: routed at submission, or added later (and by what).
  await db.schema
    .alterTable('case_readers')
    .addColumn('via', 'text', (c) =>
      c
        .notNull()
        .defaultTo('routed')
        .check(sql`via IN ('routed', 'srt-joined', 'conflict-lifted', 'liaison', 'extended')`),
    )
    .execute();

  // A packet a grantee's browser could not decrypt: the grant goes back to pending for another reader.
  await db.schema
    .createTable('grant_failures')
    .addColumn('message_id', 'uuid', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('recipient_fingerprint', 'text', (c) => c.notNull())
    .addColumn('granted_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('grant_failures_message')
    .on('grant_failures')
    .columns(['message_id', 'recipient_fingerprint'])
    .execute();

  await db.schema
    .createTable('case_conflicts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level IN ('hard', 'soft')`))
    // involved: named by the reporter; accused-or-target, close-relationship (hard); same-employer,
    // appearance (soft).
    .addColumn('ground', 'text', (c) =>
      c
        .notNull()
        .check(sql`ground IN ('involved', 'accused-or-target', 'close-relationship', 'same-employer', 'appearance')`),
    )
    // null: the reporter, at submission.
    .addColumn('recorded_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lifted_at', 'timestamptz')
    .addColumn('lifted_by_proposal_id', 'uuid')
    .execute();
  await sql`CREATE INDEX case_conflicts_active ON case_conflicts (case_id, member_id) WHERE lifted_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX case_conflicts_member ON case_conflicts (member_id) WHERE lifted_at IS NULL`.execute(db);

  await db.schema
    .createTable('proposals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // null: a proposal on the project, not on one case.
    .addColumn('case_id', 'uuid', (c) => c.references('cases.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`kind IN ('refer', 'appoint-liaison', 'end-liaison', 'lift-conflict', 'downgrade-conflict', 'extend-srt-access')`,
        ),
    )
    .addColumn('subject_member_id', 'uuid', (c) => c.references('members.id').onDelete('cascade'))
    .addColumn('subject_conflict_id', 'uuid', (c) => c.references('case_conflicts.id').onDelete('cascade'))
    // null: proposed by the system (a majority of the approvers hard-conflicted).
    .addColumn('proposed_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('threshold', 'text', (c) =>
      c
        .notNull()
        .defaultTo('majority')
        .check(sql`threshold IN ('majority', 'two-thirds')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deadline_at', 'timestamptz', (c) => c.notNull())
    // Set when an eligible approver objected or demanded a vote: from then on it is a vote.
    .addColumn('vote_called_at', 'timestamptz')
    .addColumn('vote_called_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('vote_called_as', 'text', (c) => c.check(sql`vote_called_as IN ('objection', 'demand')`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status IN ('open', 'passed', 'rejected', 'withdrawn', 'lapsed')`),
    )
    .addColumn('closed_at', 'timestamptz')
    // The computed tally when it closed: { eligible, yes, no, abstain, rule, reason }.
    .addColumn('outcome', 'jsonb')
    .execute();
  await sql`CREATE INDEX proposals_open ON proposals (deadline_at) WHERE status = 'open'`.execute(db);
  await db.schema.createIndex('proposals_case').on('proposals').columns(['case_id', 'created_at']).execute();
  // One open proposal for the same thing at a time.
  await sql`
    CREATE UNIQUE INDEX proposals_one_open ON proposals (
      coalesce(case_id, '00000000-0000-0000-0000-000000000000'::uuid), kind,
      coalesce(subject_member_id, '00000000-0000-0000-0000-000000000000'::uuid),
      coalesce(subject_conflict_id, '00000000-0000-0000-0000-000000000000'::uuid)
    ) WHERE status = 'open'`.execute(db);

  await db.schema
    .createTable('ballots')
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('choice', 'text', (c) => c.notNull().check(sql`choice IN ('yes', 'no', 'abstain')`))
    .addColumn('cast_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ballots_pkey', ['proposal_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('liaison_appointments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .addColumn('appointed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    // 'decision' (end-liaison passed), 'committee-closed' (the committee closed its case), 'case-closed'.
    .addColumn('ended_because', 'text', (c) =>
      c.check(sql`ended_because IN ('decision', 'committee-closed', 'case-closed', 'conflict')`),
    )
    .addColumn('ended_by_proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .execute();
  await sql`CREATE UNIQUE INDEX liaison_appointments_current ON liaison_appointments (case_id, member_id) WHERE ended_at IS NULL`.execute(
    db,
  );

  // One sending to the committee: the messages it carries, sent once each of them has a packet for
  // the committee key (made in a reader's browser).
  await db.schema
    .createTable('case_referrals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    // null: later messages sent on by a reader's choice.
    .addColumn('proposal_id', 'uuid', (c) => c.references('proposals.id').onDelete('set null'))
    .addColumn('requested_by_member_id', 'uuid', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('committee_key_id', 'uuid', (c) => c.notNull().references('committee_keys.id'))
    .addColumn('message_ids', sql`uuid[]`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await sql`CREATE INDEX case_referrals_waiting ON case_referrals (case_id) WHERE sent_at IS NULL`.execute(db);

  // The liaison's typed entry: what the committee decided (content encrypted like a comment).
  await sql`ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_role_check`.execute(db);
  await sql`
    ALTER TABLE messages ADD CONSTRAINT messages_role_check
      CHECK (role IN ('report', 'attachment', 'comment', 'reply', 'reporter-reply', 'committee-decision'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'case_referrals',
    'liaison_appointments',
    'ballots',
    'proposals',
    'case_conflicts',
    'grant_failures',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('case_readers').dropColumn('via').execute();
  await db.schema
    .alterTable('session_keys')
    .dropColumn('committee_key_id')
    .dropColumn('granted_by_member_id')
    .dropColumn('granted_at')
    .execute();
  await db.schema.dropTable('committee_keys').execute();
}
