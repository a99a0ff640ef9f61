// The distributors list, what was sent to each, the embargo reminders and recorded leaks (issue 12 §2).
// Days travel as 'YYYY-MM-DD' text (to_char / ::date), as the case's embargo day does.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, DistributorSendingKind } from './database';

type Db = Kysely<Database> | Transaction<Database>;

export interface DistributorRow {
  id: string;
  organisation: string;
  email: string;
  fingerprint: string;
  encryptionKeyId: string;
  algorithm: string;
  armoredKey: string;
  uidOverride: boolean;
  /** 'YYYY-MM-DD', or null while no acceptance of the embargo policy is recorded. */
  acceptedOn: string | null;
  policyVersion: string | null;
  acceptanceRecordedBy: string | null;
  removedAt: Date | null;
}

export interface DistributorKeyFields {
  fingerprint: string;
  encryptionKeyId: string;
  algorithm: string;
  armored: string;
}

const day = (column: string) => sql<string | null>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;

function selectDistributors(db: Db) {
  return db
    .selectFrom('distributors')
    .select([
      'id',
      'organisation',
      'email',
      'fingerprint',
      'encryption_key_id',
      'algorithm',
      'armored',
      'uid_override',
      day('accepted_on').as('accepted_day'),
      'policy_version',
      'acceptance_recorded_by',
      'removed_at',
    ]);
}

type Selected = Awaited<ReturnType<ReturnType<typeof selectDistributors>['executeTakeFirstOrThrow']>>;

function toRow(r: Selected): DistributorRow {
  return {
    id: r.id,
    organisation: r.organisation,
    email: r.email,
    fingerprint: r.fingerprint,
    encryptionKeyId: r.encryption_key_id,
    algorithm: r.algorithm,
    armoredKey: r.armored,
    uidOverride: r.uid_override,
    acceptedOn: r.accepted_day,
    policyVersion: r.policy_version,
    acceptanceRecordedBy: r.acceptance_recorded_by,
    removedAt: r.removed_at,
  };
}

/** The current list (removed ones left out), by organisation. */
export async function listDistributors(db: Db): Promise<DistributorRow[]> {
  const rows = await selectDistributors(db).where('removed_at', 'is', null).orderBy('organisation').execute();
  return rows.map(toRow);
}

/** One distributor, current or removed; `forUpdate` locks it. */
export async function findDistributor(db: Db, id: string, forUpdate = false): Promise<DistributorRow | undefined> {
  let query = selectDistributors(db).where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  const r = await query.executeTakeFirst();
  return r && toRow(r);
}

export async function currentDistributorWithEmail(db: Db, email: string): Promise<DistributorRow | undefined> {
  const r = await selectDistributors(db)
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return r && toRow(r);
}

export async function insertDistributor(
  trx: Transaction<Database>,
  row: { organisation: string; email: string; uidOverride: boolean; addedBy: string } & DistributorKeyFields,
): Promise<string> {
  const { id } = await trx
    .insertInto('distributors')
    .values({
      organisation: row.organisation,
      email: row.email,
      fingerprint: row.fingerprint,
      encryption_key_id: row.encryptionKeyId,
      algorithm: row.algorithm,
      armored: row.armored,
      uid_override: row.uidOverride,
      added_by: row.addedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function updateDistributor(
  trx: Transaction<Database>,
  id: string,
  row: { organisation: string; email: string; uidOverride: boolean } & DistributorKeyFields,
): Promise<void> {
  await trx
    .updateTable('distributors')
    .set({
      organisation: row.organisation,
      email: row.email,
      fingerprint: row.fingerprint,
      encryption_key_id: row.encryptionKeyId,
      algorithm: row.algorithm,
      armored: row.armored,
      uid_override: row.uidOverride,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export async function setDistributorAcceptance(
  trx: Transaction<Database>,
  id: string,
  acceptance: { acceptedOn: string; policyVersion: string; recordedBy: string } | null,
): Promise<void> {
  await trx
    .updateTable('distributors')
    .set({
      accepted_on: acceptance ? sql<Date>`${acceptance.acceptedOn}::date` : null,
      policy_version: acceptance?.policyVersion ?? null,
      acceptance_recorded_by: acceptance?.recordedBy ?? null,
      acceptance_recorded_at: acceptance ? new Date() : null,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

/** Removed from the list: it keeps its row for the record, and loses its key and any message still waiting. */
export async function markDistributorRemoved(trx: Transaction<Database>, id: string): Promise<void> {
  await trx
    .updateTable('distributors')
    .set({ removed_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
  await trx
    .updateTable('distributor_sendings')
    .set({ ciphertext: null })
    .where('distributor_id', '=', id)
    .where('sent_at', 'is', null)
    .execute();
}

export interface SendingRow {
  id: string;
  caseId: string;
  distributorId: string;
  organisation: string;
  kind: DistributorSendingKind;
  plannedOn: string;
  fingerprint: string;
  requestedBy: string | null;
  requestedAt: Date;
  sentAt: Date | null;
  /** Not mailed in time: its ciphertext was dropped and it may be sent again. */
  givenUpAt: Date | null;
}

function selectSendings(db: Db) {
  return db
    .selectFrom('distributor_sendings as s')
    .innerJoin('distributors as d', 'd.id', 's.distributor_id')
    .select([
      's.id',
      's.case_id',
      's.distributor_id',
      'd.organisation',
      's.kind',
      sql<string>`to_char(s.planned_on, 'YYYY-MM-DD')`.as('planned_day'),
      's.fingerprint',
      's.requested_by',
      's.requested_at',
      's.sent_at',
      's.given_up_at',
    ]);
}

type SelectedSending = Awaited<ReturnType<ReturnType<typeof selectSendings>['executeTakeFirstOrThrow']>>;

const toSending = (r: SelectedSending): SendingRow => ({
  id: r.id,
  caseId: r.case_id,
  distributorId: r.distributor_id,
  organisation: r.organisation,
  kind: r.kind,
  plannedOn: r.planned_day,
  fingerprint: r.fingerprint,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  sentAt: r.sent_at,
  givenUpAt: r.given_up_at,
});

export async function caseSendings(db: Db, caseId: string): Promise<SendingRow[]> {
  const rows = await selectSendings(db)
    .where('s.case_id', '=', caseId)
    .orderBy('s.requested_at')
    .orderBy('d.organisation')
    .execute();
  return rows.map(toSending);
}

/** Inserts the sendings; a sending already made (same case, distributor, kind, date) is refused by the unique index. */
export async function insertSending(
  trx: Transaction<Database>,
  row: {
    caseId: string;
    distributorId: string;
    kind: DistributorSendingKind;
    plannedOn: string;
    fingerprint: string;
    requestedBy: string;
    ciphertext: string;
  },
): Promise<string | null> {
  const inserted = await trx
    .insertInto('distributor_sendings')
    .values({
      case_id: row.caseId,
      distributor_id: row.distributorId,
      kind: row.kind,
      planned_on: sql<Date>`${row.plannedOn}::date`,
      fingerprint: row.fingerprint,
      requested_by: row.requestedBy,
      ciphertext: row.ciphertext,
    })
    .onConflict((c) =>
      c.columns(['case_id', 'distributor_id', 'kind', 'planned_on']).where('given_up_at', 'is', null).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
}

export interface SendingToMail extends SendingRow {
  email: string;
  reference: string;
  ciphertext: string;
}

/** A sending not mailed yet, locked for the mailing (SKIP LOCKED: another instance has it). */
export async function lockSendingToMail(trx: Transaction<Database>, id: string): Promise<SendingToMail | undefined> {
  const r = await selectSendings(trx)
    .innerJoin('cases as c', 'c.id', 's.case_id')
    .select(['d.email', 'c.reference', 's.ciphertext'])
    .where('s.id', '=', id)
    .where('s.sent_at', 'is', null)
    .where('s.ciphertext', 'is not', null)
    .where('s.given_up_at', 'is', null)
    .where('d.removed_at', 'is', null)
    .forUpdate('s')
    .skipLocked()
    .executeTakeFirst();
  return r && { ...toSending(r), email: r.email, reference: r.reference, ciphertext: r.ciphertext! };
}

/** Mailed: the ciphertext is not kept. */
export async function markSendingSent(trx: Transaction<Database>, id: string, at: Date): Promise<void> {
  await trx.updateTable('distributor_sendings').set({ sent_at: at, ciphertext: null }).where('id', '=', id).execute();
}

/** Sendings the queue could not mail since `before`: their ciphertext is dropped; returns how many. */
export async function giveUpUnsentSendings(db: Db, before: Date, at: Date): Promise<number> {
  const rows = await db
    .updateTable('distributor_sendings')
    .set({ ciphertext: null, given_up_at: at })
    .where('sent_at', 'is', null)
    .where('given_up_at', 'is', null)
    .where('requested_at', '<', before)
    .returning('id')
    .execute();
  return rows.length;
}

// Embargo reminders: one row per case, embargo day and lead; inserting it claims the reminder.

export interface EmbargoDue {
  caseId: string;
  embargoOn: string;
}

/**
 * Open security cases whose embargo day is more than `after` and at most `days` days after `today`,
 * with no reminder of that lead for that day yet.
 */
export async function casesDueForReminder(db: Db, today: string, days: number, after: number): Promise<EmbargoDue[]> {
  const rows = await db
    .selectFrom('cases as c')
    .select(['c.id', sql<string>`to_char(c.embargo_until, 'YYYY-MM-DD')`.as('embargo_day')])
    .where('c.kind', '=', 'security')
    .where('c.embargo_until', 'is not', null)
    .where('c.status', 'not in', ['published', 'closed'])
    .where(sql<boolean>`c.embargo_until > ${today}::date + ${after}::int`)
    .where(sql<boolean>`c.embargo_until <= ${today}::date + ${days}::int`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('embargo_reminders as r')
            .select('r.case_id')
            .whereRef('r.case_id', '=', 'c.id')
            .whereRef('r.embargo_on', '=', 'c.embargo_until')
            .where('r.days_before', '=', days),
        ),
      ),
    )
    .execute();
  return rows.map((r) => ({ caseId: r.id, embargoOn: r.embargo_day }));
}

/** The case's embargo day now ('YYYY-MM-DD', or null), to drop a reminder about a day since changed. */
export async function currentEmbargoDay(db: Db, caseId: string): Promise<string | null> {
  const r = await db
    .selectFrom('cases')
    .select(sql<string | null>`to_char(embargo_until, 'YYYY-MM-DD')`.as('day'))
    .where('id', '=', caseId)
    .executeTakeFirst();
  return r?.day ?? null;
}

/** Claims a reminder: true for the one caller (of any instance) that inserted it. */
export async function claimReminder(
  trx: Transaction<Database>,
  due: EmbargoDue,
  daysBefore: number,
  at: Date,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('embargo_reminders')
    .values({
      case_id: due.caseId,
      embargo_on: sql<Date>`${due.embargoOn}::date`,
      days_before: daysBefore,
      reminded_at: at,
    })
    .onConflict((c) => c.columns(['case_id', 'embargo_on', 'days_before']).doNothing())
    .returning('case_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

// Leaks.

export interface LeakRow {
  id: string;
  distributorId: string | null;
  organisation: string | null;
  leakedOn: string;
  messageId: string;
  recordedBy: string | null;
  recordedAt: Date;
}

export async function insertLeak(
  trx: Transaction<Database>,
  row: { caseId: string; distributorId: string | null; leakedOn: string; messageId: string; recordedBy: string },
): Promise<string> {
  const { id } = await trx
    .insertInto('embargo_leaks')
    .values({
      case_id: row.caseId,
      distributor_id: row.distributorId,
      leaked_on: sql<Date>`${row.leakedOn}::date`,
      message_id: row.messageId,
      recorded_by: row.recordedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function caseLeaks(db: Db, caseId: string): Promise<LeakRow[]> {
  const rows = await db
    .selectFrom('embargo_leaks as l')
    .leftJoin('distributors as d', 'd.id', 'l.distributor_id')
    .select([
      'l.id',
      'l.distributor_id',
      'd.organisation',
      sql<string>`to_char(l.leaked_on, 'YYYY-MM-DD')`.as('leaked_day'),
      'l.message_id',
      'l.recorded_by',
      'l.recorded_at',
    ])
    .where('l.case_id', '=', caseId)
    .orderBy('l.recorded_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    distributorId: r.distributor_id,
    organisation: r.organisation,
    leakedOn: r.leaked_day,
    messageId: r.message_id,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at,
  }));
}
