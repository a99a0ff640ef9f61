// Sending a security case's advisory to the distributors (issue 12 §2): a reader's browser decrypts
// the current advisory draft, renders it as plain text and encrypts it to each distributor's key;
// the server checks each message is addressed to exactly that distributor's key and keeps the
// ciphertext only until the mail queue has sent it. Never the report: only what the browser made
// for the distributors reaches them. The advance goes at least seven days before the planned
// disclosure (the embargo day); the release notice in the last two days, 24 hours ahead as a rule.
import type { Kysely } from 'kysely';
import type { Database, DistributorSendingKind } from '../../db/database';
import {
  caseSendings,
  giveUpUnsentSendings,
  insertSending,
  listDistributors,
  type DistributorRow,
} from '../../db/distributors.queries';
import { MalformedMessageError } from '../../crypto/errors';
import { publicKeyIds } from '../../crypto/keys';
import { assembleMessage, splitMessage } from '../../crypto/split-message';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { requireReadableCase } from '../cases/case-work';
import { badInput, conflict } from '../errors';
import { refuseLiaison } from '../governance/liaison-limits';
import { daysUntil, dayOf } from './embargo-dates';
import { refuseWithoutAcceptance } from './distributors';
import type { CaseDetail } from '../../db/case-view.queries';

/** How far ahead the advance must reach the distributors, in days. */
export const ADVANCE_DAYS = 7;
/** The release notice goes in this many days before the disclosure (24 hours ahead, as a rule). */
export const RELEASE_WINDOW_DAYS = 2;
/** One armored advisory to one key: generous for a long text, small for a request. */
const MESSAGE_LIMIT = 256 * 1024;
const SENDING_KINDS: readonly string[] = ['advance', 'release'];

export interface SendingRequest {
  kind: string;
  plannedOn: string;
  messages: { distributorId: string; message: string }[];
}

/**
 * What the browser needs to encrypt: the distributors that accepted the embargo policy, their keys,
 * and what each was sent already for the planned date (the browser sends each what it lacks).
 */
export async function distributorRecipients(db: Kysely<Database>, member: SignedInMember, reference: string) {
  const found = await requireSecurityCase(db, member, reference);
  const plannedOn = found.embargoUntil ? dayOf(found.embargoUntil) : null;
  const sent = (await caseSendings(db, found.id)).filter((s) => s.givenUpAt === null && s.plannedOn === plannedOn);
  const got = (id: string, kind: DistributorSendingKind) => sent.some((s) => s.distributorId === id && s.kind === kind);
  return {
    plannedOn,
    distributors: (await listDistributors(db))
      .filter((d) => d.acceptedOn !== null)
      .map((d) => ({
        id: d.id,
        organisation: d.organisation,
        fingerprint: d.fingerprint,
        publicKey: d.armoredKey,
        sent: { advance: got(d.id, 'advance'), release: got(d.id, 'release') },
      })),
  };
}

export async function sendToDistributors(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  request: SendingRequest,
  now: Date,
  events: CaseEvents,
): Promise<{ sent: number }> {
  const found = await requireSecurityCase(db, member, reference);
  if (!SENDING_KINDS.includes(request.kind))
    throw badInput('Send either the advisory (advance) or the release notice.');
  const kind = request.kind as DistributorSendingKind;
  const plannedOn = checkPlannedDay(found, request.plannedOn, kind, now);
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    throw badInput('Nothing to send: no distributor has accepted the embargo policy, or none was chosen.');

  const current = new Map((await listDistributors(db)).map((d) => [d.id, d]));
  const earlier = (await caseSendings(db, found.id)).filter((s) => s.givenUpAt === null);
  const checked: { distributor: DistributorRow; armored: string }[] = [];
  const seen = new Set<string>();
  for (const item of request.messages) {
    const distributor = typeof item?.distributorId === 'string' ? current.get(item.distributorId) : undefined;
    if (!distributor)
      throw badInput('A distributor this page named is no longer on the list. Reload the page and send again.');
    if (seen.has(distributor.id)) throw badInput(`${distributor.organisation} is named twice.`);
    seen.add(distributor.id);
    refuseWithoutAcceptance(distributor);
    if (
      kind === 'release' &&
      !earlier.some((s) => s.distributorId === distributor.id && s.kind === 'advance' && s.plannedOn === plannedOn)
    )
      throw badInput(
        `${distributor.organisation} was not sent the advisory for ${plannedOn}: send it the advisory first.`,
      );
    if (earlier.some((s) => s.distributorId === distributor.id && s.kind === kind && s.plannedOn === plannedOn))
      throw conflict(`${distributor.organisation} was sent this already for ${plannedOn}.`);
    checked.push({ distributor, armored: await addressedTo(item.message, distributor) });
  }

  const ids = await db.transaction().execute(async (trx) => {
    const made: string[] = [];
    for (const { distributor, armored } of checked) {
      const id = await insertSending(trx, {
        caseId: found.id,
        distributorId: distributor.id,
        kind,
        plannedOn,
        fingerprint: distributor.fingerprint,
        requestedBy: member.id,
        ciphertext: armored,
      });
      if (id === null) throw conflict(`${distributor.organisation} was sent this already for ${plannedOn}.`);
      await appendAudit(trx, {
        caseId: found.id,
        actorMemberId: member.id,
        action: 'distributor.advisory-sent',
        details: {
          sendingId: id,
          distributorId: distributor.id,
          kind,
          plannedOn,
          fingerprint: distributor.fingerprint,
        },
      });
      made.push(id);
    }
    return made;
  });
  for (const id of ids) await events.distributorSending(found.id, id);
  return { sent: ids.length };
}

/** The mail queue retries for about two days; a sending still not mailed after this many is given up. */
export const GIVE_UP_DAYS = 3;

/** Drops the ciphertext of sendings the queue could not mail in time, so it is kept only while a job needs it. */
export function giveUpStaleSendings(db: Kysely<Database>, now: Date): Promise<number> {
  return giveUpUnsentSendings(db, new Date(now.getTime() - GIVE_UP_DAYS * 86_400_000), now);
}

async function requireSecurityCase(db: Kysely<Database>, member: SignedInMember, reference: string) {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'send anything to the distributors');
  if (found.kind !== 'security') throw badInput('Only a security case has an advisory for the distributors.');
  return found;
}

/** The planned disclosure is the case's embargo day; the advance needs seven days, the release notice comes in the last two. */
function checkPlannedDay(found: CaseDetail, given: string, kind: DistributorSendingKind, now: Date): string {
  if (!found.embargoUntil)
    throw badInput(
      'Set the embargo date (the planned disclosure) on this case before sending anything to the distributors.',
    );
  const plannedOn = dayOf(found.embargoUntil);
  if (typeof given !== 'string' || given !== plannedOn)
    throw badInput(`The embargo date changed to ${plannedOn} while you were on this page. Reload it and send again.`);
  const left = daysUntil(plannedOn, now);
  if (left <= 0) throw badInput(`The embargo ended on ${plannedOn}: there is nothing to send ahead of it any more.`);
  if (kind === 'advance' && left < ADVANCE_DAYS)
    throw badInput(
      `The distributors must get the advisory at least ${ADVANCE_DAYS} days before the disclosure, and ${plannedOn} is only ${Math.floor(left)} day${Math.floor(left) === 1 ? '' : 's'} away. ` +
        'Move the embargo date later first (and tell the reporter), or disclose without sending it ahead.',
    );
  if (kind === 'release' && left > RELEASE_WINDOW_DAYS)
    throw badInput(
      `The release notice goes 24 hours before the disclosure on ${plannedOn}; it can be sent from ${dayOf(new Date(new Date(`${plannedOn}T00:00:00Z`).getTime() - RELEASE_WINDOW_DAYS * 86_400_000))} on.`,
    );
  return plannedOn;
}

/** The message, armored, after checking it is one OpenPGP message to exactly this distributor's key and nobody else. */
async function addressedTo(message: unknown, distributor: DistributorRow): Promise<string> {
  if (typeof message !== 'string' || message.length > MESSAGE_LIMIT)
    throw badInput(`The message for ${distributor.organisation} is missing or too long.`);
  let split;
  try {
    split = await splitMessage(message);
  } catch (error) {
    if (error instanceof MalformedMessageError)
      throw badInput(
        `The message for ${distributor.organisation} is not a usable OpenPGP message: ${error.message}`,
        error,
      );
    throw error;
  }
  const keyIds = await publicKeyIds(distributor.armoredKey);
  const [only, ...more] = split.sessionKeys;
  if (!only || more.length > 0 || !keyIds.has(only.recipientKeyId.toLowerCase()))
    throw badInput(
      `The message for ${distributor.organisation} must be encrypted to its key ${distributor.fingerprint} alone. Nothing was sent.`,
    );
  return assembleMessage(only.packet, split.body);
}
