// The reporter's side of a case, found by the receipt alone: no account, and the server never keeps
// the receipt. With JavaScript the browser does the unlocking; without it, this code does it in
// memory and forgets the receipt when the request ends.
import type { Kysely } from 'kysely';
import { readPublicKey, type PrivateKey } from '../../crypto/keys';
import type { Database } from '../../db/database';
import { findCaseByReceiptLookup, reporterTimeline, type ReporterCase } from '../../db/followup.queries';
import { DecryptionError } from '../../crypto/errors';
import { isWellFormedReceipt, receiptLookupHash } from '../../crypto/receipt';
import { UnlockBusyError, unlockReporterKeyOffThread } from '../../crypto/reporter-key-pool';
import { decryptSplit, encryptMessage } from '../../crypto/split-message';
import type { CaseEvents } from '../cases/case-events';
import { caseRecipients, storeCaseMessage } from '../cases/case-messages';
import { badInput, conflict, DomainError, notFound } from '../errors';
import { contentDeletedNotice } from '../retention/deleted-words';
import { CONTENT_DELETED } from '../retention/retention-clock';
import { reporterLabel } from '../cases/workflow';

export const NO_MATCH = 'No case matches this receipt. Check the words and try again.';
export const UNLOCK_BUSY = 'Many receipts are being checked right now. Please try again in a minute.';

export async function caseForLookup(db: Kysely<Database>, lookupHex: string): Promise<ReporterCase> {
  if (!/^[0-9a-f]{64}$/i.test(lookupHex)) throw notFound(NO_MATCH);
  const found = await findCaseByReceiptLookup(db, Buffer.from(lookupHex, 'hex'));
  if (!found) throw notFound(NO_MATCH);
  return found;
}

/** What the browser needs to show the case to its reporter: still encrypted, with the locked key. */
export async function followupForBrowser(db: Kysely<Database>, lookupHex: string) {
  const found = await caseForLookup(db, lookupHex);
  // Deleted content (retention): the lookup hash alone proves the receipt (>= 80 bits); the status stays.
  if (found.contentDeletedAt || found.reporterLockedKey === null)
    return {
      reference: found.reference,
      kind: found.kind,
      status: reporterLabel(found.kind, found.status),
      lockedKey: null,
      contentDeleted: contentDeletedNotice(found.contentDeletedAt ?? new Date(0)),
      messages: [],
      recipients: [],
    };
  const [timeline, readers] = await Promise.all([
    reporterTimeline(db, found.id, found.reporterFingerprint),
    caseRecipients(db, found.id),
  ]);
  return {
    reference: found.reference,
    kind: found.kind,
    status: reporterLabel(found.kind, found.status),
    lockedKey: found.reporterLockedKey,
    contentDeleted: null,
    messages: timeline.map((m) => ({
      id: m.id,
      role: m.role,
      createdAt: m.createdAt.toISOString(),
      packet: m.packet.toString('base64'),
      body: m.body.toString('base64'),
    })),
    recipients: [...readers.map((r) => r.armoredKey), found.reporterPublicKey],
  };
}

/** A reply the reporter's browser encrypted to the case's readers and the reporter key. */
export async function addReporterReply(
  db: Kysely<Database>,
  lookupHex: string,
  message: string,
  events: CaseEvents,
): Promise<void> {
  const found = await caseForLookup(db, lookupHex);
  if (found.contentDeletedAt) throw conflict(CONTENT_DELETED);
  await storeCaseMessage(
    db,
    { id: found.id, reporterFingerprint: found.reporterFingerprint, reporterPublicKey: found.reporterPublicKey },
    {
      role: 'reporter-reply',
      authorMemberId: null,
      message,
      withReporter: true,
    },
  );
  await events.messageAdded(found.id, null);
}

export interface DecryptedFollowup {
  reference: string;
  status: string;
  /** The notice when the content was deleted (retention); then there are no messages. */
  contentDeleted: string | null;
  messages: { role: string; createdAt: Date; text: string | null; filename: string | null }[];
}

/**
 * Finds the case by the receipt's lookup hash and unlocks its reporter key with the receipt. A wrong
 * receipt costs only the lookup: its hash matches no case, so no key work could hide anything. A
 * right one's Argon2 runs off the event loop. Both no-JavaScript paths come through here, so they
 * answer alike.
 */
async function unlockCaseWithReceipt(
  db: Kysely<Database>,
  receipt: string,
): Promise<{ found: ReporterCase; key: PrivateKey | null }> {
  const found = isWellFormedReceipt(receipt)
    ? await findCaseByReceiptLookup(db, await receiptLookupHash(receipt))
    : undefined;
  if (!found) throw notFound(NO_MATCH);
  // The content and the locked key are gone (retention): the receipt's hash matching is the proof left.
  if (found.reporterLockedKey === null) return { found, key: null };
  try {
    return { found, key: await unlockReporterKeyOffThread(found.reporterLockedKey, receipt) };
  } catch (error) {
    if (error instanceof DecryptionError) throw notFound(NO_MATCH);
    if (error instanceof UnlockBusyError) throw new DomainError('rate-limited', UNLOCK_BUSY, { cause: error });
    throw error;
  }
}

/** Without JavaScript: finds the case by the receipt, unlocks the reporter key with it and decrypts in memory. */
export async function openFollowupWithReceipt(db: Kysely<Database>, receipt: string): Promise<DecryptedFollowup> {
  const { found, key } = await unlockCaseWithReceipt(db, receipt);
  const status = reporterLabel(found.kind, found.status);
  if (key === null)
    return {
      reference: found.reference,
      status,
      contentDeleted: contentDeletedNotice(found.contentDeletedAt ?? new Date(0)),
      messages: [],
    };
  const timeline = await reporterTimeline(db, found.id, found.reporterFingerprint);
  const messages = await Promise.all(
    timeline.map(async (m) => {
      const binary = m.role === 'attachment';
      const { data, filename } = await decryptSplit({
        sessionKeyPacket: m.packet,
        body: m.body,
        decryptionKey: key,
        binary,
      });
      return {
        role: m.role,
        createdAt: m.createdAt,
        text: binary ? null : (data as string),
        filename: binary ? filename || 'attachment' : null,
      };
    }),
  );
  return { reference: found.reference, status, contentDeleted: null, messages };
}

/** Without JavaScript: encrypts the reporter's answer in memory to the readers and the reporter key. */
export async function replyWithReceipt(
  db: Kysely<Database>,
  receipt: string,
  text: string,
  events: CaseEvents,
): Promise<void> {
  if (text.trim() === '') throw badInput('Write your answer before sending it.');
  const { found } = await unlockCaseWithReceipt(db, receipt);
  if (found.contentDeletedAt) throw conflict(CONTENT_DELETED);
  const readers = await caseRecipients(db, found.id);
  const reporterKey = await readPublicKey(found.reporterPublicKey);
  const message = await encryptMessage({ data: text, recipients: [...readers.map((r) => r.publicKey), reporterKey] });
  await storeCaseMessage(db, found, { role: 'reporter-reply', authorMemberId: null, message, withReporter: true });
  await events.messageAdded(found.id, null);
}
