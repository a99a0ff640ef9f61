// The advisory form's text fields and the draft they stand for, both ways: the reader's browser
// parses what was typed into a draft (and says what is wrong beside each field, keeping the text),
// and fills the form from a decrypted draft or, before the first one, from the case's typed fields.
import { draftProblems, type AdvisoryDraft, type CreditType, type DraftProblems } from './advisory-draft';

export const ADVISORY_FIELDS = [
  'summary',
  'details',
  'affected',
  'cvss31',
  'cvss40',
  'cwes',
  'aliases',
  'credits',
  'references',
  'plannedPublication',
] as const;
export type AdvisoryFields = Record<(typeof ADVISORY_FIELDS)[number], string>;

/** What the case already says in its typed fields (kept in the clear for triage). */
export interface CaseSeverityFields {
  severityVector: string | null;
  cwe: string | null;
  affectedVersions: string | null;
  embargoUntil: string | null;
}

const SEPARATOR = '|';

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
const cells = (line: string) => line.split(SEPARATOR).map((cell) => cell.trim());
const words = (text: string) => text.split(/[\s,]+/).filter((word) => word !== '');
const optional = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** The draft the form's text stands for, and every problem with it (by field); the text is never changed. */
export function parseAdvisoryFields(fields: AdvisoryFields): { draft: AdvisoryDraft; problems: DraftProblems } {
  const packages = new Map<string, AdvisoryDraft['affected'][number]>();
  for (const line of lines(fields.affected)) {
    const [ecosystem = '', name = '', introduced = '', fixed, lastAffected] = cells(line);
    const key = `${ecosystem}\u0000${name}`;
    const entry = packages.get(key) ?? { ecosystem, name, ranges: [] };
    entry.ranges.push({
      introduced: introduced || '0',
      ...(optional(fixed) ? { fixed: optional(fixed) } : {}),
      ...(optional(lastAffected) ? { lastAffected: optional(lastAffected) } : {}),
    });
    packages.set(key, entry);
  }
  const draft: AdvisoryDraft = {
    version: 1,
    summary: fields.summary.trim(),
    details: fields.details.trim(),
    affected: [...packages.values()],
    ...(fields.cvss31.trim() ? { cvss31: fields.cvss31.trim() } : {}),
    ...(fields.cvss40.trim() ? { cvss40: fields.cvss40.trim() } : {}),
    cwes: words(fields.cwes.toUpperCase()),
    aliases: words(fields.aliases),
    credits: lines(fields.credits).map((line) => {
      const [type = '', name = '', ...contact] = cells(line);
      return {
        name,
        type: type.toUpperCase().replace(/[\s-]+/g, '_') as CreditType,
        ...(contact.some((c) => c !== '') ? { contact: contact.filter((c) => c !== '') } : {}),
      };
    }),
    references: lines(fields.references).map((line) => {
      const [type = '', url = ''] = cells(line);
      return { type: type.toUpperCase(), url };
    }),
    ...(fields.plannedPublication.trim() ? { plannedPublication: fields.plannedPublication.trim() } : {}),
  };
  const problems = draftProblems(draft);
  for (const line of lines(fields.affected))
    if (cells(line).length < 2)
      problems.set(
        'affected',
        `"${line}": write each range as ecosystem | package | introduced | fixed | last affected.`,
      );
  if (fields.plannedPublication.trim() && !/^\d{4}-\d{2}-\d{2}$/.test(fields.plannedPublication.trim()))
    problems.set('plannedPublication', 'Give the planned publication as YYYY-MM-DD.');
  return { draft, problems };
}

/** The form's text for a draft. */
export function draftFields(draft: AdvisoryDraft): AdvisoryFields {
  const join = (parts: (string | undefined)[]) =>
    parts
      .map((p) => p ?? '')
      .join(` ${SEPARATOR} `)
      .replace(/( \| )+$/, '');
  return {
    summary: draft.summary,
    details: draft.details,
    affected: draft.affected
      .flatMap((p) => p.ranges.map((r) => join([p.ecosystem, p.name, r.introduced, r.fixed, r.lastAffected])))
      .join('\n'),
    cvss31: draft.cvss31 ?? '',
    cvss40: draft.cvss40 ?? '',
    cwes: draft.cwes.join(', '),
    aliases: draft.aliases.join(', '),
    credits: draft.credits.map((c) => join([c.type, c.name, ...(c.contact ?? [])])).join('\n'),
    references: draft.references.map((r) => join([r.type, r.url])).join('\n'),
    plannedPublication: draft.plannedPublication?.slice(0, 10) ?? '',
  };
}

/** The form before any draft: what the case's typed fields already say (its vector, CWE, affected versions, embargo). */
export function prefilledFields(severity: CaseSeverityFields): AdvisoryFields {
  const vector = severity.severityVector ?? '';
  return {
    summary: '',
    details: '',
    // The case's affected versions are free text (the page shows them beside the field): the reader writes the ranges.
    affected: '',
    cvss31: vector.startsWith('CVSS:3.1/') ? vector : '',
    cvss40: vector.startsWith('CVSS:4.0/') ? vector : '',
    cwes: severity.cwe ?? '',
    aliases: '',
    credits: '',
    references: '',
    plannedPublication: severity.embargoUntil ?? '',
  };
}
