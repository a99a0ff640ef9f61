// A Code of Conduct remedy as typed fields (issue 11 §4, §5): its kind (cases.resolution), a
// temporary ban's length in months, whether someone is named publicly. The CNCF procedures ask for
// a legal consultation before a ban or suspension longer than two months, or naming someone
// publicly: such a remedy is decided by the approvers ("resolve-coc"), never by a plain move.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database';
import { upsertRemedy } from '../../db/cncf.queries';
import { COC_RESOLUTIONS, type CocResolution, type MoveDetails } from '../cases/workflow';
import { badField } from '../field-errors';

export interface CocRemedy {
  resolution: CocResolution;
  /** A temporary ban's length; null for every other kind. */
  months: number | null;
  namedPublicly: boolean;
}

/** Longest a temporary ban may run without a legal consultation (the CNCF procedures: two months). */
export const MONTHS_WITHOUT_CONSULTATION = 2;
const MAX_MONTHS = 1200;

export const REMEDY_NEEDS_DECISION =
  'A ban or suspension longer than two months, or naming someone publicly, needs a legal consultation recorded on this case and a decision of the approvers: ' +
  'record the consultation under “CNCF central record”, then propose “Resolve with this remedy” there.';

/** The remedy a move or a proposal carries, checked; throws a FieldError naming the field at fault. */
export function parseRemedy(details: MoveDetails): CocRemedy {
  const resolution = COC_RESOLUTIONS.find((r) => r === details.resolution);
  if (!resolution)
    throw badField('resolution', `Record the resolution's outcome: one of ${COC_RESOLUTIONS.join(', ')}.`);
  const namedPublicly = details.namedPublicly === true || details.namedPublicly === 'yes';
  if (resolution === 'no-violation' && namedPublicly)
    throw badField('namedPublicly', 'A finding of no violation names nobody publicly.');
  if (resolution !== 'temporary-ban') return { resolution, months: null, namedPublicly };
  const typed = typeof details.months === 'number' ? String(details.months) : (details.months ?? '').trim();
  const months = /^\d{1,4}$/.test(typed) ? Number(typed) : NaN;
  if (!(months >= 1 && months <= MAX_MONTHS))
    throw badField('months', `Give the temporary ban's length in whole months, from 1 to ${MAX_MONTHS}.`);
  return { resolution, months, namedPublicly };
}

/** Whether the CNCF procedures ask for a legal consultation before this remedy. */
export function needsLegalConsultation(remedy: CocRemedy): boolean {
  return (
    remedy.namedPublicly ||
    remedy.resolution === 'permanent-ban' ||
    (remedy.resolution === 'temporary-ban' && (remedy.months ?? 0) > MONTHS_WITHOUT_CONSULTATION)
  );
}

/** The direct move to `resolved`: refused for a remedy that needs the decision, with where to go instead. */
export function refuseRemedyWithoutDecision(details: MoveDetails): void {
  if (needsLegalConsultation(parseRemedy(details))) throw badField('resolution', REMEDY_NEEDS_DECISION);
}

export function recordRemedy(
  trx: Transaction<Database>,
  caseId: string,
  remedy: CocRemedy,
  proposalId: string | null,
): Promise<void> {
  return upsertRemedy(trx, caseId, { months: remedy.months, namedPublicly: remedy.namedPublicly, proposalId });
}

/** The remedy in words, for titles and the case page. */
export function remedyWords(remedy: Pick<CocRemedy, 'resolution' | 'months' | 'namedPublicly'>): string {
  const kind =
    remedy.resolution === 'temporary-ban' && remedy.months
      ? `temporary ban of ${remedy.months} month${remedy.months === 1 ? '' : 's'}`
      : remedy.resolution.replace(/-/g, ' ');
  return remedy.namedPublicly ? `${kind}, naming the person publicly` : kind;
}
