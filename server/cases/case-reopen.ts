// Reopening a closed case. The reason is free text a member writes, so it may hold case content:
// it is stored only as an encrypted note to the readers (encrypted in the member's browser, or
// without JavaScript in memory here, like the no-JavaScript report form), and the audit log
// records the move and the note's id, never the words.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { lockCaseStatus, reopenCaseStatus } from '../../db/case-work.queries';
import { encryptMessage } from '../../crypto/split-message';
import { appendAudit } from '../audit/audit-log';
import type { CaseEvents } from './case-events';
import { addressCaseMessage, caseRecipients, insertCaseMessage } from './case-messages';
import { requireReadableCase } from './case-work';
import { badInput } from '../errors';
import { badField } from '../field-errors';
import type { SignedInMember } from '../auth/signed-in-member';
import { reopenTarget } from './workflow';
import { refuseLiaison } from '../governance/liaison-limits';

export const MAX_REASON_CHARS = 5000;

/** The reason: an armored message the browser encrypted to the readers, or (without JavaScript) the text. */
export type ReopenReason = { message: string } | { text: string };

export async function reopenCase(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  reason: ReopenReason,
  events: CaseEvents,
): Promise<{ to: string }> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'reopen a case');
  if (!reopenTarget(found.kind, found.status))
    throw badInput('This case is not closed, so there is nothing to reopen.');
  const message = 'message' in reason ? reason.message : await encryptReason(db, found.id, reason.text);
  const note = await addressCaseMessage(db, found, {
    role: 'comment',
    authorMemberId: member.id,
    message,
    withReporter: false,
  });
  const to = await db.transaction().execute(async (trx) => {
    const current = await lockCaseStatus(trx, found.id);
    const target = reopenTarget(found.kind, current.status);
    if (!target) throw badInput('This case was reopened meanwhile: reload the page.');
    const noteId = await insertCaseMessage(trx, found.id, note);
    // A reopened case is no longer a duplicate, nor resolved: the next closing move records its own.
    await reopenCaseStatus(trx, found.id, target);
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'case.status-changed',
      details: { from: current.status, to: target, reopened: true, noteId },
    });
    return target;
  });
  await events.messageAdded(found.id, member.id);
  return { to };
}

/** Checks the reason as typed and encrypts it to the case's readers; the plaintext goes no further. */
async function encryptReason(db: Kysely<Database>, caseId: string, text: string): Promise<Uint8Array> {
  const trimmed = text.trim();
  if (trimmed === '')
    throw badField('reason', 'Say why the case is reopened: the readers see it as a note on the case.');
  if (trimmed.includes('\u0000'))
    throw badField('reason', 'The reason contains a NUL character; remove it and try again.');
  if (trimmed.length > MAX_REASON_CHARS)
    throw badField('reason', `Keep the reason to ${MAX_REASON_CHARS} characters; add more as a note afterwards.`);
  const readers = await caseRecipients(db, caseId);
  return encryptMessage({ data: trimmed, recipients: readers.map((r) => r.publicKey) });
}
