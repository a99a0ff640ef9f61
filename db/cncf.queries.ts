// The CNCF central record's notices, the legal consultations and a CoC remedy's typed fields (issue 11 §4).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

export type NoticeStage = 'incident' | 'resolution';
export type Counsel = 'cncf-legal' | 'lf-counsel' | 'other-counsel';

export interface NoticeRecord {
  id: string;
  stage: NoticeStage;
  committeeKeyId: string;
  committeeFingerprint: string;
  writtenByMemberId: string | null;
  writtenByName: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** The notices of a case, oldest first (the sent ones, and one waiting per stage at most), with the key each was written to and who wrote it. */
export async function caseNotices(db: Db, caseId: string): Promise<NoticeRecord[]> {
  const rows = await db
    .selectFrom('cncf_notices as n')
    .innerJoin('committee_keys as k', 'k.id', 'n.committee_key_id')
    .leftJoin('members as m', 'm.id', 'n.written_by_member_id')
    .select([
      'n.id',
      'n.stage',
      'n.committee_key_id',
      'k.fingerprint',
      'n.written_by_member_id',
      'm.name',
      'n.created_at',
      'n.sent_at',
    ])
    .where('n.case_id', '=', caseId)
    .orderBy('n.created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    stage: r.stage,
    committeeKeyId: r.committee_key_id,
    committeeFingerprint: r.fingerprint,
    writtenByMemberId: r.written_by_member_id,
    writtenByName: r.name,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }));
}

/** Stores a notice waiting to be mailed; one not yet mailed for the same stage is replaced (written again, to a new committee key say). */
export async function upsertWaitingNotice(
  trx: Transaction<Database>,
  notice: { caseId: string; stage: NoticeStage; committeeKeyId: string; memberId: string; armored: string },
): Promise<string> {
  const row = await trx
    .insertInto('cncf_notices')
    .values({
      case_id: notice.caseId,
      stage: notice.stage,
      committee_key_id: notice.committeeKeyId,
      written_by_member_id: notice.memberId,
      armored: notice.armored,
      sent_at: null,
    })
    .onConflict((oc) =>
      oc
        .columns(['case_id', 'stage'])
        .where('sent_at', 'is', null)
        .doUpdateSet({
          committee_key_id: notice.committeeKeyId,
          written_by_member_id: notice.memberId,
          armored: notice.armored,
          created_at: sql`now()`,
        } as never),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Locks a notice for the one transaction that mails it. */
export async function lockNotice(trx: Transaction<Database>, noticeId: string) {
  return trx
    .selectFrom('cncf_notices as n')
    .innerJoin('cases as c', 'c.id', 'n.case_id')
    .select([
      'n.id',
      'n.case_id',
      'n.stage',
      'n.committee_key_id',
      'n.written_by_member_id',
      'n.armored',
      'n.sent_at',
      'c.reference',
    ])
    .where('n.id', '=', noticeId)
    .forUpdate('n')
    .executeTakeFirst();
}

/** The mail has gone: the ciphertext is no longer kept. */
export async function markNoticeSent(trx: Transaction<Database>, noticeId: string, sentAt: Date): Promise<void> {
  await trx.updateTable('cncf_notices').set({ sent_at: sentAt, armored: null }).where('id', '=', noticeId).execute();
}

/**
 * Notices waiting for the mail (a lost enqueueing, a relay that was down), written to the
 * committee's current key (one written to an older key waits for a reader to write it again).
 */
export async function waitingNotices(db: Db): Promise<{ id: string; caseId: string }[]> {
  const rows = await db
    .selectFrom('cncf_notices as n')
    .innerJoin('committee_keys as k', 'k.id', 'n.committee_key_id')
    .select(['n.id', 'n.case_id'])
    .where('n.sent_at', 'is', null)
    .where('k.retired_at', 'is', null)
    .orderBy('n.created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, caseId: r.case_id }));
}

export interface LegalConsultation {
  id: string;
  consultedOn: string;
  counsel: Counsel;
  noteMessageId: string | null;
  recordedByName: string | null;
  createdAt: Date;
}

export async function insertLegalConsultation(
  trx: Transaction<Database>,
  row: { caseId: string; consultedOn: string; counsel: Counsel; noteMessageId: string | null; memberId: string },
): Promise<string> {
  const { id } = await trx
    .insertInto('cncf_legal_consultations')
    .values({
      case_id: row.caseId,
      consulted_on: sql<Date>`${row.consultedOn}::date`,
      counsel: row.counsel,
      note_message_id: row.noteMessageId,
      recorded_by_member_id: row.memberId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function caseLegalConsultations(db: Db, caseId: string): Promise<LegalConsultation[]> {
  const rows = await db
    .selectFrom('cncf_legal_consultations as l')
    .leftJoin('members as m', 'm.id', 'l.recorded_by_member_id')
    .select([
      'l.id',
      sql<string>`to_char(l.consulted_on, 'YYYY-MM-DD')`.as('consulted_on'),
      'l.counsel',
      'l.note_message_id',
      'm.name',
      'l.created_at',
    ])
    .where('l.case_id', '=', caseId)
    .orderBy('l.created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    consultedOn: r.consulted_on,
    counsel: r.counsel,
    noteMessageId: r.note_message_id,
    recordedByName: r.name,
    createdAt: r.created_at,
  }));
}

export async function hasLegalConsultation(db: Db, caseId: string): Promise<boolean> {
  const row = await db
    .selectFrom('cncf_legal_consultations')
    .select('id')
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return row !== undefined;
}

/** A resolution's remedy fields (one row per case, written again with each resolution). */
export async function upsertRemedy(
  trx: Transaction<Database>,
  caseId: string,
  remedy: { months: number | null; namedPublicly: boolean; proposalId: string | null },
): Promise<void> {
  await trx
    .insertInto('coc_remedies')
    .values({
      case_id: caseId,
      months: remedy.months,
      named_publicly: remedy.namedPublicly,
      proposal_id: remedy.proposalId,
    })
    .onConflict((oc) =>
      oc.column('case_id').doUpdateSet({
        months: remedy.months,
        named_publicly: remedy.namedPublicly,
        proposal_id: remedy.proposalId,
        recorded_at: sql`now()`,
      } as never),
    )
    .execute();
}

export async function caseRemedy(
  db: Db,
  caseId: string,
): Promise<{ months: number | null; namedPublicly: boolean; proposalId: string | null; recordedAt: Date } | undefined> {
  const r = await db
    .selectFrom('coc_remedies')
    .select(['months', 'named_publicly', 'proposal_id', 'recorded_at'])
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return (
    r && { months: r.months, namedPublicly: r.named_publicly, proposalId: r.proposal_id, recordedAt: r.recorded_at }
  );
}

/** The case's kind, status and resolution, for the checks of a notice or a resolution by decision. */
export async function caseState(db: Db, caseId: string) {
  return db
    .selectFrom('cases')
    .select(['id', 'kind', 'status', 'resolution', 'acknowledged_at'])
    .where('id', '=', caseId)
    .executeTakeFirst();
}
