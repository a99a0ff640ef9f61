// The notices to the CNCF CoC Committee's central record (issue 11 §4): at acknowledgement a brief
// summary and the accused's name, at resolution whether a violation was found and the remedy. A
// reader writes each in the browser, encrypted to the committee's current key; the server checks it
// is addressed to exactly that key, keeps the ciphertext only until the mail job has sent it as
// PGP/MIME (server/mail/cncf-notice-sender.ts), and records that it was sent.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { currentCommitteeKey, type CommitteeKey } from '../../db/committee.queries';
import {
  caseNotices,
  caseRemedy,
  caseState,
  lockNotice,
  markNoticeSent,
  upsertWaitingNotice,
  waitingNotices,
  type NoticeRecord,
  type NoticeStage,
} from '../../db/cncf.queries';
import { lockCaseStatus } from '../../db/case-work.queries';
import { MalformedMessageError } from '../../crypto/errors';
import { splitMessage } from '../../crypto/split-message';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { requireReadableCase } from '../cases/case-work';
import { badInput, conflict, notConfigured } from '../errors';
import { checkText } from '../text-checks';
import { ARMORED_LIMIT, centralRecordKept } from './cncf-record';
import { BY_SYSTEM } from './governance-actor';
import { refuseLiaison } from './liaison-limits';

type Db = Kysely<Database> | Transaction<Database>;

export const NOTICE_STAGES: readonly NoticeStage[] = ['incident', 'resolution'];

export const COMMITTEE_KEY_MISSING =
  "The CNCF CoC Committee's key is not configured: the operator sets it with `intake committee set --email … --key FILE`.";

/** Which notices a case calls for now: the incident once acknowledged, the resolution once resolved. */
export function noticesDue(state: { acknowledged_at: Date | null; resolution: string | null }): NoticeStage[] {
  return [
    ...(state.acknowledged_at ? (['incident'] as const) : []),
    ...(state.resolution ? (['resolution'] as const) : []),
  ];
}

/** Where a stage's notice stands: the one sent for the case as it is now, and the one waiting to be mailed. */
export interface StageStatus {
  sent: NoticeRecord | null;
  waiting: NoticeRecord | null;
}

/**
 * A resolution notice answers the latest resolution only (`resolvedAt`: when the remedy was last
 * recorded): a case reopened and resolved again is notified again. The incident is notified once.
 */
export function stageStatus(
  stage: NoticeStage,
  notices: readonly NoticeRecord[],
  resolvedAt: Date | null,
): StageStatus {
  const ofStage = notices.filter((n) => n.stage === stage);
  const current = (n: NoticeRecord) => stage !== 'resolution' || resolvedAt === null || n.createdAt >= resolvedAt;
  return {
    sent: ofStage.filter((n) => n.sentAt !== null && current(n)).at(-1) ?? null,
    waiting: ofStage.find((n) => n.sentAt === null) ?? null,
  };
}

/** The notices of a case and when it was last resolved, for stageStatus. */
export async function caseNoticeRecord(db: Db, caseId: string) {
  const [notices, remedy] = await Promise.all([caseNotices(db, caseId), caseRemedy(db, caseId)]);
  return { notices, resolvedAt: remedy?.recordedAt ?? null, remedy };
}

export async function committeeKeyForNotices(db: Db): Promise<CommitteeKey> {
  const key = await currentCommitteeKey(db);
  if (!key) throw notConfigured(COMMITTEE_KEY_MISSING);
  return key;
}

/** What a reader's browser needs to write a notice: the committee's key, and the case's checks passed. */
export async function noticeRecipient(db: Kysely<Database>, member: SignedInMember, reference: string) {
  const found = await requireNoticeCase(db, member, reference);
  const key = await committeeKeyForNotices(db);
  return { reference: found.reference, email: key.email, fingerprint: key.fingerprint, publicKey: key.armoredKey };
}

async function requireNoticeCase(db: Kysely<Database>, member: SignedInMember, reference: string) {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'write the notices to the CNCF CoC Committee');
  if (found.kind !== 'coc') throw badInput('Only Code of Conduct cases are notified to the CNCF CoC Committee.');
  if (!(await centralRecordKept(db)))
    throw badInput(
      'This project does not notify the CNCF central record (the charter setting “cncf-central-record” is off).',
    );
  return found;
}

/** Stores a reader's notice, checked to be addressed to exactly the committee's key; the mail job sends it. */
export async function submitNotice(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  input: { stage: string; message: string },
  events: CaseEvents,
): Promise<{ id: string }> {
  const found = await requireNoticeCase(db, member, reference);
  const stage = NOTICE_STAGES.find((s) => s === input.stage);
  if (!stage) throw badInput('Say which notice this is: the incident or the resolution.');
  const state = await caseState(db, found.id);
  if (!state || !noticesDue(state).includes(stage))
    throw badInput(
      stage === 'incident'
        ? 'The incident notice is written once the case is acknowledged.'
        : 'The resolution notice is written once the case is resolved.',
    );
  const armored = checkText(input.message, 'The notice', ARMORED_LIMIT);
  const key = await committeeKeyForNotices(db);
  await requireAddressedToCommittee(armored, key);
  const id = await db.transaction().execute(async (trx) => {
    // Serialises two readers sending the same stage's notice at once.
    await lockCaseStatus(trx, found.id);
    const record = await caseNoticeRecord(trx, found.id);
    if (stageStatus(stage, record.notices, record.resolvedAt).sent)
      throw conflict(`The ${stage} notice of this case has been sent to the committee already.`);
    const id = await upsertWaitingNotice(trx, {
      caseId: found.id,
      stage,
      committeeKeyId: key.id,
      memberId: member.id,
      armored,
    });
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'cncf.notice-written',
      details: { noticeId: id, stage, committeeKeyFingerprint: key.fingerprint },
    });
    return id;
  });
  await events.cncfNoticeReady(found.id, id);
  return { id };
}

/** Exactly one session key, for the committee's encryption key: nobody else can read it, and the committee can. */
async function requireAddressedToCommittee(armored: string, key: CommitteeKey): Promise<void> {
  let recipients: string[];
  try {
    recipients = (await splitMessage(armored)).sessionKeys.map((k) => k.recipientKeyId);
  } catch (error) {
    if (error instanceof MalformedMessageError)
      throw badInput(`The notice is not a usable OpenPGP message: ${error.message}`, error);
    throw error;
  }
  if (recipients.length !== 1 || recipients[0] !== key.encryptionKeyId.toLowerCase())
    throw badInput(
      `The notice must be encrypted to the committee's current key (${key.fingerprint}) alone. Reload the page and write it again.`,
    );
}

/** What the mail job sends: locked; null when sent already, or written to a key that is no longer the committee's. */
export async function lockNoticeForSending(trx: Transaction<Database>, noticeId: string) {
  const notice = await lockNotice(trx, noticeId);
  if (!notice || notice.sent_at || !notice.armored) return null;
  const key = await currentCommitteeKey(trx);
  if (!key || key.id !== notice.committee_key_id) return null;
  return {
    noticeId: notice.id,
    caseId: notice.case_id,
    stage: notice.stage,
    reference: notice.reference,
    writtenByMemberId: notice.written_by_member_id,
    armored: notice.armored,
    committeeEmail: key.email,
    committeeFingerprint: key.fingerprint,
  };
}

export type NoticeSending = NonNullable<Awaited<ReturnType<typeof lockNoticeForSending>>>;

/** After the mail left, in the same transaction: sent, and its ciphertext gone. */
export async function recordNoticeSent(trx: Transaction<Database>, sending: NoticeSending, now = new Date()) {
  await markNoticeSent(trx, sending.noticeId, now);
  await appendAudit(trx, {
    ...BY_SYSTEM,
    caseId: sending.caseId,
    action: 'cncf.notice-sent',
    details: {
      noticeId: sending.noticeId,
      stage: sending.stage,
      committeeKeyFingerprint: sending.committeeFingerprint,
      ...(sending.writtenByMemberId ? { writtenByMemberId: sending.writtenByMemberId } : {}),
    },
  });
}

/** Enqueues every notice still waiting (a lost enqueueing, a relay that was down); the sender's lock sends each once. */
export async function enqueueWaitingNotices(db: Kysely<Database>, events: CaseEvents): Promise<number> {
  const waiting = await waitingNotices(db);
  for (const n of waiting) await events.cncfNoticeReady(n.caseId, n.id);
  return waiting.length;
}
