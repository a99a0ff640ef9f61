// The report's per-incident section (issue 11 §5): free text a person writes, never generated from
// case content. Confidential until published: encrypted in an approver's browser to every current
// approver's key; the server checks whom it is addressed to and stores the ciphertext only.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { findTransparencyNote, saveTransparencyNote } from '../../db/transparency.queries';
import { MalformedMessageError } from '../../crypto/errors';
import { splitMessage } from '../../crypto/split-message';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import { badInput } from '../errors';
import { addressSessionKeys } from '../intake/message-addressing';
import { loadRecipients, type Recipient } from '../intake/recipients';
import { checkText } from '../text-checks';
import type { ReportPeriod } from './periods';

/** An armored note: a long text, encrypted to a few dozen keys at most. */
export const MAX_NOTE_CHARS = 2 * 1024 * 1024;

async function approverRecipients(db: Kysely<Database>): Promise<Recipient[]> {
  return (await loadRecipients(db)).filter((r) => r.role === 'approver');
}

/** Whom the note must be encrypted to: every current approver, with the key on file. */
export async function noteRecipients(db: Kysely<Database>) {
  return {
    approvers: (await approverRecipients(db)).map((r) => ({
      name: r.name,
      fingerprint: r.fingerprint,
      publicKey: r.armoredKey,
    })),
  };
}

export async function saveNote(
  db: Kysely<Database>,
  member: SignedInMember,
  period: ReportPeriod,
  armored: unknown,
  now: Date,
): Promise<void> {
  if (typeof armored !== 'string') throw badInput('"message" must be an armored OpenPGP message.');
  checkText(armored, 'The note', MAX_NOTE_CHARS);
  let split;
  try {
    split = await splitMessage(armored);
  } catch (error) {
    if (error instanceof MalformedMessageError)
      throw badInput(`The note is not a usable OpenPGP message: ${error.message}`, error);
    throw error;
  }
  const approvers = await approverRecipients(db);
  const addressed = addressSessionKeys(split, approvers, null, 'The note');
  const sessionKeys = addressed.map((k) => ({
    memberKeyId: k.memberKeyId!,
    packet: Buffer.from(k.packet).toString('base64'),
  }));
  await db.transaction().execute(async (trx) => {
    await saveTransparencyNote(trx, {
      id: period.id,
      months: period.months,
      body: split.body,
      sessionKeys,
      savedBy: member.id,
      at: now,
    });
    await appendAudit(trx, {
      caseId: null,
      actorMemberId: member.id,
      action: 'transparency.note-saved',
      details: { period: period.id, months: period.months, recipients: sessionKeys.length },
    });
  });
}

export type NoteForMember =
  | { state: 'none' }
  /** Saved before this member's current key (or before they were an approver): someone saves it again. */
  | { state: 'not-for-you'; savedAt: string }
  | { state: 'ready'; savedAt: string; packet: string; body: string };

/** The period's note as this approver's browser decrypts it: the body and this member's key packet. */
export async function noteForMember(
  db: Kysely<Database>,
  member: SignedInMember,
  period: ReportPeriod,
): Promise<NoteForMember> {
  const note = await findTransparencyNote(db, period);
  if (!note) return { state: 'none' };
  const savedAt = note.savedAt.toISOString();
  const mine = (await approverRecipients(db)).find((r) => r.id === member.id);
  const packet = mine && note.sessionKeys.find((k) => k.memberKeyId === mine.memberKeyId)?.packet;
  if (!packet) return { state: 'not-for-you', savedAt };
  return { state: 'ready', savedAt, packet, body: note.body.toString('base64') };
}
