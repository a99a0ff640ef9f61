// The CNCF CoC Committee's central record and the CoC remedies that need a legal consultation
// (issue 11 §4). OWNER: helper "cncf". A remedy the CNCF procedures ask counsel about (a ban or
// suspension over two months, naming someone publicly) is decided by the approvers ("resolve-coc"):
// refused without a consultation recorded on the case, at proposing and again before it is applied.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { caseState, hasLegalConsultation, insertLegalConsultation, type Counsel } from '../../db/cncf.queries';
import { appendAudit } from '../audit/audit-log';
import type { SignedInMember } from '../auth/signed-in-member';
import type { CaseEvents } from '../cases/case-events';
import { addressCaseMessage, insertCaseMessage } from '../cases/case-messages';
import { applyCaseMove, requireReadableCase } from '../cases/case-work';
import { allowedMoves } from '../cases/workflow';
import { badInput, notFound } from '../errors';
import { badField } from '../field-errors';
import { checkText } from '../text-checks';
import { needsLegalConsultation, parseRemedy, remedyWords, type CocRemedy } from './coc-remedy';
import type { GovernanceActor } from './governance-actor';
import { refuseLiaison } from './liaison-limits';
import { readCharter } from './charter';

type Db = Kysely<Database> | Transaction<Database>;

/** An armored note or notice: a few pages of text, encrypted. */
export const ARMORED_LIMIT = 200_000;

export const COUNSEL_CHOICES: readonly { value: Counsel; label: string }[] = [
  { value: 'cncf-legal', label: 'CNCF legal' },
  { value: 'lf-counsel', label: 'The Linux Foundation’s counsel' },
  { value: 'other-counsel', label: 'Other counsel' },
];

/**
 * Whether this project keeps the CNCF central record (the charter's `cncf-central-record`). Only
 * that setting is read here, so the clocks' defaults readCharter also fills in do not matter.
 */
export async function centralRecordKept(db: Db): Promise<boolean> {
  const zero = { security: 0, coc: 0 };
  return (
    await readCharter(db, {
      acknowledgeDays: zero,
      triageDays: zero,
      decisions: { lazyConsensusHours: 0, cocLazyConsensusHours: 0 },
    })
  ).cncfCentralRecord;
}

/** A proposal's payload as a remedy: the same checks as the move form's. */
function remedyOf(payload: unknown): CocRemedy {
  const p = (payload !== null && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? v : null);
  return parseRemedy({
    resolution: typeof p.resolution === 'string' ? p.resolution : null,
    months: text(p.months),
    namedPublicly: p.namedPublicly === true,
  });
}

/** The payload a resolve-coc proposal carries: the remedy's typed fields, nothing else. */
export function remedyPayload(remedy: CocRemedy): {
  resolution: string;
  months: number | null;
  namedPublicly: boolean;
} {
  return { resolution: remedy.resolution, months: remedy.months, namedPublicly: remedy.namedPublicly };
}

/** A resolution by decision (a remedy that needs one): can it be proposed, and still be carried out? */
export async function checkCocResolution(db: Db, caseId: string, payload: unknown): Promise<void> {
  const found = await caseState(db, caseId);
  if (!found) throw notFound('There is no case with this reference.');
  if (found.kind !== 'coc') throw badInput('Only a Code of Conduct case is resolved with a remedy.');
  if (!allowedMoves(found.kind, found.status).includes('resolved'))
    throw badInput(
      `A Code of Conduct case is resolved from ${['investigating', 'referred'].join(' or ')}; this one is "${found.status}".`,
    );
  const remedy = remedyOf(payload);
  if (needsLegalConsultation(remedy) && !(await hasLegalConsultation(db, caseId)))
    throw badInput(
      `The CNCF procedures require a legal consultation before a ${remedyWords(remedy)}: record it on this case first (when, and with whom).`,
    );
}

export async function resolveCocByDecision(
  trx: Transaction<Database>,
  caseId: string,
  payload: unknown,
  actor: GovernanceActor,
): Promise<void> {
  await checkCocResolution(trx, caseId, payload);
  const remedy = remedyOf(payload);
  await applyCaseMove(
    trx,
    { id: caseId, kind: 'coc' },
    'resolved',
    { resolution: remedy.resolution, months: remedy.months, namedPublicly: remedy.namedPublicly },
    actor,
  );
}

export function cocResolutionTitle(payload: unknown): string {
  try {
    return `Resolve this case: ${remedyWords(remedyOf(payload))}`;
  } catch {
    return 'Resolve this case with a remedy';
  }
}

/** A reader records that counsel was consulted: when, with whom, and optionally a note encrypted to the readers. */
export async function recordLegalConsultation(
  db: Kysely<Database>,
  member: SignedInMember,
  reference: string,
  input: { consultedOn: string; counsel: string; note?: string },
  events: CaseEvents,
  now: Date = new Date(),
): Promise<{ id: string }> {
  const found = await requireReadableCase(db, member, reference);
  refuseLiaison(member, 'record a legal consultation');
  if (found.kind !== 'coc') throw badInput('A legal consultation is recorded on a Code of Conduct case.');
  const counsel = COUNSEL_CHOICES.find((c) => c.value === input.counsel)?.value;
  if (!counsel) throw badField('counsel', 'Choose whom you consulted from the list.');
  const consultedOn = checkDay(input.consultedOn, now);
  const note = input.note?.trim() ? checkText(input.note, 'The note', ARMORED_LIMIT) : null;
  const addressed = note
    ? await addressCaseMessage(db, found, {
        role: 'comment',
        authorMemberId: member.id,
        message: note,
        withReporter: false,
        auditDetails: { legalConsultationNote: true },
      })
    : null;
  const id = await db.transaction().execute(async (trx) => {
    const noteMessageId = addressed ? await insertCaseMessage(trx, found.id, addressed) : null;
    const id = await insertLegalConsultation(trx, {
      caseId: found.id,
      consultedOn,
      counsel,
      noteMessageId,
      memberId: member.id,
    });
    await appendAudit(trx, {
      caseId: found.id,
      actorMemberId: member.id,
      action: 'cncf.legal-consulted',
      details: { consultationId: id, consultedOn, counsel, ...(noteMessageId ? { noteMessageId } : {}) },
    });
    return id;
  });
  if (addressed) await events.messageAdded(found.id, member.id);
  return { id };
}

function checkDay(input: string, now: Date): string {
  const day = (input ?? '').trim();
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day)
    throw badField('consultedOn', 'Give the day of the consultation as YYYY-MM-DD.');
  if (date.getTime() > now.getTime()) throw badField('consultedOn', 'The consultation cannot be in the future.');
  return day;
}
