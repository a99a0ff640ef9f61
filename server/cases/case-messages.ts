// Comments between readers and replies to the reporter: encrypted in the writer's browser, checked
// here to be addressed to exactly the case's current readers (and, for a reply, the reporter).
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { insertMessage } from '../../db/cases.queries';
import { caseReaders, type CaseDetail } from '../../db/case-view.queries';
import { MalformedMessageError } from '../../crypto/errors';
import { publicKeyIds } from '../../crypto/keys';
import { splitMessage } from '../../crypto/split-message';
import { appendAudit } from '../audit/audit-log';
import type { CaseEvents } from './case-events';
import { requireReadableCase } from './case-work';
import { badInput } from '../errors';
import type { SignedInMember } from '../auth/signed-in-member';
import { addressSessionKeys, type ReporterRecipient } from '../intake/message-addressing';
import { loadRecipients, type Recipient } from '../intake/recipients';
import { refuseLiaison } from '../governance/liaison-limits';
import { noteCaseActivity } from '../retention/retention-clock';

export type ResponderMessageRole = 'comment' | 'reply';

/** The current readers of a case, with the keys to encrypt to. */
export async function caseRecipients(db: Kysely<Database>, caseId: string): Promise<Recipient[]> {
  const readerIds = new Set((await caseReaders(db, caseId)).map((r) => r.id));
  return (await loadRecipients(db)).filter((m) => readerIds.has(m.id));
}

export async function reporterRecipient(publicKey: string, fingerprint: string): Promise<ReporterRecipient> {
  return { fingerprint, keyIds: await publicKeyIds(publicKey) };
}

/** Whom a comment (readers) or a reply (readers and the reporter) must be encrypted to. */
export async function messageRecipients(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  role: ResponderMessageRole,
) {
  const found = await requireReadableCase(db, member, reference);
  if (role === 'reply') refuseLiaison(member, 'reply to the reporter');
  const readers = await caseRecipients(db, found.id);
  return {
    readers: readers.map((r) => ({ name: r.name, fingerprint: r.fingerprint, publicKey: r.armoredKey })),
    reporter: role === 'reply' ? { fingerprint: found.reporterFingerprint, publicKey: found.reporterPublicKey } : null,
  };
}

/** Stores a comment or a reply a reader encrypted, after checking whom it is addressed to. */
export async function addCaseMessage(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  role: ResponderMessageRole,
  message: string,
  events: CaseEvents,
): Promise<{ id: string }> {
  const found = await requireReadableCase(db, member, reference);
  if (role === 'reply') refuseLiaison(member, 'reply to the reporter');
  const id = await storeCaseMessage(db, found, {
    role,
    authorMemberId: member.id,
    message,
    withReporter: role === 'reply',
  });
  await events.messageAdded(found.id, member.id);
  return { id };
}

export interface CaseMessageInput {
  /** Every role a member or the reporter writes after the report: those with an audit action below. */
  role: keyof typeof MESSAGE_AUDIT;
  authorMemberId: string | null;
  message: string | Uint8Array;
  withReporter: boolean;
  /** Files that came with the message (an e-mail reply's), each encrypted like it; stored in the same transaction. */
  attachments?: (string | Uint8Array)[];
  /** More for its audit row (ids, flags; never content). */
  auditDetails?: Record<string, string | boolean>;
}

/** A message checked to be addressed to exactly the case's readers (and the reporter), ready to insert. */
export interface AddressedMessage {
  input: CaseMessageInput;
  /** The message first, then its attachments. */
  parts: { body: Uint8Array; sessionKeys: ReturnType<typeof addressSessionKeys> }[];
}

/** Splits a message and checks whom it is addressed to, before any transaction is opened. */
export async function addressCaseMessage(
  db: Kysely<Database>,
  found: Pick<CaseDetail, 'id' | 'reporterFingerprint' | 'reporterPublicKey'>,
  input: CaseMessageInput,
): Promise<AddressedMessage> {
  const splits = [];
  for (const [index, message] of [input.message, ...(input.attachments ?? [])].entries()) {
    try {
      splits.push(await splitMessage(message));
    } catch (error) {
      const what = index === 0 ? 'The message' : `Attachment ${index}`;
      if (error instanceof MalformedMessageError)
        throw badInput(`${what} is not a usable OpenPGP message: ${error.message}`, error);
      throw error;
    }
  }
  const readers = await caseRecipients(db, found.id);
  const reporter = input.withReporter
    ? await reporterRecipient(found.reporterPublicKey, found.reporterFingerprint)
    : null;
  const parts = splits.map((split, index) => ({
    body: split.body,
    sessionKeys: addressSessionKeys(split, readers, reporter, index === 0 ? 'The message' : `Attachment ${index}`),
  }));
  return { input, parts };
}

const MESSAGE_AUDIT = {
  comment: 'case.comment-added',
  reply: 'case.reply-added',
  'reporter-reply': 'case.reporter-replied',
  'committee-decision': 'liaison.decision-recorded',
  'meeting-minutes': 'meeting.minutes-added',
  'embargo-leak': 'embargo.leak-recorded',
  'advisory-draft': 'advisory.draft-saved',
} as const;

/** Inserts an addressed message (and its files) with its audit row, inside the caller's transaction. */
export async function insertCaseMessage(
  trx: Transaction<Database>,
  caseId: string,
  addressed: AddressedMessage,
): Promise<string> {
  const { input } = addressed;
  const [first, ...files] = addressed.parts;
  await noteCaseActivity(trx, caseId);
  const id = await insertMessage(trx, caseId, { role: input.role, authorMemberId: input.authorMemberId, ...first! });
  for (const file of files)
    await insertMessage(trx, caseId, { role: 'attachment', authorMemberId: input.authorMemberId, ...file });
  await appendAudit(trx, {
    caseId,
    actorMemberId: input.authorMemberId,
    actorLabel: input.authorMemberId ? undefined : 'reporter',
    action: MESSAGE_AUDIT[input.role],
    details: { messageId: id, ...input.auditDetails },
  });
  return id;
}

/** The one place a message to an existing case is checked and stored, for readers and the reporter alike. */
export async function storeCaseMessage(
  db: Kysely<Database>,
  found: Pick<CaseDetail, 'id' | 'reporterFingerprint' | 'reporterPublicKey'>,
  input: CaseMessageInput,
): Promise<string> {
  const addressed = await addressCaseMessage(db, found, input);
  return db.transaction().execute((trx) => insertCaseMessage(trx, found.id, addressed));
}
