import { Kysely } from 'kysely';

// Frozen in time: imports nothing from the app. Decisions (issue 10 §3): whether the system made a
// proposal. proposed_by_member_id alone cannot say so, as it turns null when a proposing member is
// removed, and only the system's referral passes with no eligible approver left.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('proposals')
    .addColumn('by_system', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('proposals').dropColumn('by_system').execute();
}
