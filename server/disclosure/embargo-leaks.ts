// A recorded embargo leak (issue 12 §2): which distributor (or "unknown"), on which day, and what
// leaked. The "what" is written in the reader's browser and encrypted to the case's readers like a
// comment (a message with role embargo-leak, checked by the same addressing as every message); the
// server keeps only the distributor and the day in the clear, to show them on the case.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { findDistributor, insertLeak } from '../../db/distributors.queries';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { addressCaseMessage, insertCaseMessage } from '../cases/case-messages';
import { requireReadableCase } from '../cases/case-work';
import { badInput } from '../errors';
import { FieldError } from '../field-errors';
import { refuseLiaison } from '../governance/liaison-limits';
import { TEXT_LIMITS, checkText } from '../text-checks';
import { dayOf, parseDay } from './embargo-dates';

export interface LeakInput {
  /** A distributor's id, or "unknown". */
  distributorId: string;
  leakedOn: string;
  /** What leaked, encrypted to the readers in the browser. */
  message: string;
}

export async function recordLeak(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  input: LeakInput,
  now: Date,
  events: CaseEvents,
): Promise<{ id: string }> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'record an embargo leak');
  if (found.kind !== 'security') throw badInput('Only a security case has an embargo that can leak.');
  const who = checkText(String(input.distributorId ?? ''), 'The distributor', TEXT_LIMITS.code).trim();
  let distributorId: string | null = null;
  if (who !== 'unknown') {
    const distributor = /^[0-9a-f-]{36}$/i.test(who) ? await findDistributor(db, who) : undefined;
    if (!distributor) throw new FieldError('leakDistributor', 'Choose a distributor from the list, or "unknown".');
    distributorId = distributor.id;
  }
  const leakedOn = parseDay(String(input.leakedOn ?? ''), 'leakedOn', 'The day of the leak');
  if (leakedOn > dayOf(now)) throw new FieldError('leakedOn', 'The day of the leak cannot be in the future.');
  if (typeof input.message !== 'string' || input.message === '')
    throw badInput('Say what leaked: the text is encrypted in your browser to the readers of the case.');
  const addressed = await addressCaseMessage(db, found, {
    role: 'embargo-leak',
    authorMemberId: member.id,
    message: input.message,
    withReporter: false,
    auditDetails: { leakedOn, distributorId: distributorId ?? '' },
  });
  const id = await db.transaction().execute(async (trx) => {
    const messageId = await insertCaseMessage(trx, found.id, addressed);
    return insertLeak(trx, { caseId: found.id, distributorId, leakedOn, messageId, recordedBy: member.id });
  });
  await events.messageAdded(found.id, member.id);
  return { id };
}
