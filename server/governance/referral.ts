// The referral of a Code of Conduct case to the CNCF CoC Committee (issue 10 §4). OWNER: helper "access".
// A passed referral records a sending of every message of the case; the committee's key is then a
// pending grantee of those messages, and once a reader's browser has re-wrapped them all, the mail
// sender (server/mail/referral-sender.ts) mails them — each message assembled for the committee's
// key, never plaintext — and the case moves to `referred`, once, whichever instance sends it.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { currentCommitteeKey, type CommitteeKey } from '../../db/committee.queries';
import {
  hasReferral,
  insertReferral,
  lockReferral,
  lockReferredCase,
  markReferralSent,
  messagesNotReferred,
  readyReferrals,
  referralParts,
  type Referral,
} from '../../db/referrals.queries';
import { setCaseStatus } from '../../db/case-work.queries';
import { assembleMessage } from '../../crypto/split-message';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { requireReadableCase } from '../cases/case-work';
import { canBeReferred } from '../cases/workflow';
import { badInput, conflict, forbidden, notConfigured, notFound } from '../errors';
import { BY_SYSTEM, type GovernanceActor } from './governance-actor';

type Db = Kysely<Database> | Transaction<Database>;

async function requireCommitteeKey(db: Db): Promise<CommitteeKey> {
  const key = await currentCommitteeKey(db);
  if (!key)
    throw notConfigured(
      "The CNCF CoC Committee's key is not configured: the operator sets it with `intake committee set --email … --key FILE`.",
    );
  return key;
}

/** Whether the case can be referred: a CoC case, not closed, not referred already, the committee's key configured. */
export async function checkReferral(db: Db, caseId: string): Promise<void> {
  const found = await db.selectFrom('cases').select(['kind', 'status']).where('id', '=', caseId).executeTakeFirst();
  if (!found) throw notFound('There is no case with this reference.');
  if (found.kind !== 'coc') throw badInput('Only Code of Conduct cases are referred to the CNCF CoC Committee.');
  if (await hasReferral(db, caseId)) throw conflict('This case has been referred to the CNCF CoC Committee already.');
  // A case a reader moved to "referred" by hand has sent nothing yet: it can still be referred.
  if (found.status !== 'referred' && !canBeReferred(found.kind, found.status))
    throw badInput('A closed case cannot be referred; reopen it first.');
  await requireCommitteeKey(db);
}

/** The passed referral: records a sending of every message, waiting for a reader's browser to re-wrap them to the committee key. */
export async function startReferral(trx: Transaction<Database>, caseId: string, actor: GovernanceActor): Promise<void> {
  await checkReferral(trx, caseId);
  const key = await requireCommitteeKey(trx);
  const messageIds = await messagesNotReferred(trx, caseId);
  await recordSending(trx, caseId, key, messageIds, actor);
}

async function recordSending(
  trx: Transaction<Database>,
  caseId: string,
  key: CommitteeKey,
  messageIds: string[],
  actor: GovernanceActor,
): Promise<string> {
  const referralId = await insertReferral(trx, {
    caseId,
    proposalId: actor.proposalId ?? null,
    requestedByMemberId: actor.actorMemberId,
    committeeKeyId: key.id,
    messageIds,
  });
  await appendAudit(trx, {
    caseId,
    actorMemberId: actor.actorMemberId,
    actorLabel: actor.actorLabel,
    action: 'referral.started',
    details: {
      referralId,
      messages: messageIds.length,
      committeeKeyFingerprint: key.fingerprint,
      ...(actor.proposalId ? { proposalId: actor.proposalId } : {}),
    },
  });
  return referralId;
}

/**
 * "Send later messages to the committee": a reader's choice on a referred case. Records a sending of
 * the messages no sending carries yet; they go once re-wrapped, like the first.
 */
export async function sendLaterMessages(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
): Promise<{ messages: number }> {
  const found = await requireReadableCase(db, member, reference);
  if (member.role === 'liaison') throw forbidden('A liaison does not send the case to the committee.');
  return db.transaction().execute(async (trx) => {
    const locked = await lockReferredCase(trx, found.id);
    if (!locked || !(await hasReferral(trx, found.id)))
      throw badInput(
        'This case has not been referred to the CNCF CoC Committee; that takes a decision of the approvers.',
      );
    const key = await requireCommitteeKey(trx);
    const messageIds = await messagesNotReferred(trx, found.id);
    if (messageIds.length === 0) throw badInput('Every message of this case has been sent to the committee already.');
    await recordSending(trx, found.id, key, messageIds, { actorMemberId: member.id });
    return { messages: messageIds.length };
  });
}

/** What one mail to the committee carries: each message armored for the committee's key, oldest first. */
export interface ReferralSending {
  referral: Referral;
  reference: string;
  committeeEmail: string;
  committeeFingerprint: string;
  messages: { role: string; createdAt: Date; armored: string }[];
}

/**
 * Inside the sender's transaction: locks the referral and returns what to mail, or null when there
 * is nothing to send (sent already by another instance, or a message still lacks its committee
 * packet, or the committee's key changed since: it is re-wrapped and enqueued again).
 */
export async function lockReferralForSending(
  trx: Transaction<Database>,
  referralId: string,
): Promise<ReferralSending | null> {
  const referral = await lockReferral(trx, referralId);
  if (!referral || referral.sentAt) return null;
  const key = await currentCommitteeKey(trx);
  if (!key || key.id !== referral.committeeKeyId) return null;
  const found = await lockReferredCase(trx, referral.caseId);
  if (!found) return null;
  const parts = await referralParts(trx, referral);
  if (parts.length !== referral.messageIds.length || parts.some((p) => p.packet === null)) return null;
  return {
    referral,
    reference: found.reference,
    committeeEmail: key.email,
    committeeFingerprint: key.fingerprint,
    messages: await Promise.all(
      parts.map(async (p) => ({
        role: p.role,
        createdAt: p.createdAt,
        armored: await assembleMessage(p.packet!, p.body),
      })),
    ),
  };
}

/** After the mail left, in the same transaction: the referral is sent, and the case moves to `referred` (by the system). */
export async function recordReferralSent(
  trx: Transaction<Database>,
  sending: ReferralSending,
  now: Date = new Date(),
): Promise<void> {
  const { referral } = sending;
  await markReferralSent(trx, referral.id, now);
  const found = await trx
    .selectFrom('cases')
    .select(['kind', 'status', 'acknowledged_at', 'triaged_at'])
    .where('id', '=', referral.caseId)
    .executeTakeFirstOrThrow();
  if (canBeReferred(found.kind, found.status)) {
    await setCaseStatus(trx, referral.caseId, {
      status: 'referred',
      acknowledgedAt: found.acknowledged_at ?? now,
      triagedAt: found.triaged_at ?? now,
    });
    await appendAudit(trx, {
      ...BY_SYSTEM,
      caseId: referral.caseId,
      action: 'case.status-changed',
      details: { from: found.status, to: 'referred', referralId: referral.id },
    });
  }
  await appendAudit(trx, {
    ...BY_SYSTEM,
    caseId: referral.caseId,
    action: 'referral.sent',
    details: {
      referralId: referral.id,
      messages: sending.messages.length,
      committeeKeyFingerprint: sending.committeeFingerprint,
    },
  });
}

/**
 * Enqueues every referral that is ready and not sent: after a grant, and periodically (so that one
 * whose enqueueing was lost, or whose mail waited for the relay, still goes). Sending twice is
 * prevented by the sender's lock, not here.
 */
export async function enqueueReadyReferrals(
  db: Kysely<Database>,
  events: CaseEvents,
  caseId?: string,
): Promise<number> {
  const ready = await readyReferrals(db, caseId);
  for (const r of ready) await events.referralReady(r.caseId, r.id);
  return ready.length;
}
