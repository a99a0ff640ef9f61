// The report form's fields and the plaintext document they become. Shared by the page template,
// the server's no-JavaScript path and the browser bundle, so that both paths encrypt the same text.
import type { CaseKind } from '../../db/database';
import { KIND_TITLES, messageLabels } from '../cases/case-words';

export interface ReportField {
  /** The form field's name: `body` and `contact` are part of the stable no-JavaScript contract. */
  name: string;
  label: string;
  hint?: string;
  multiline: boolean;
  required: boolean;
}

export const REPORT_KINDS: readonly CaseKind[] = ['security', 'coc'];

export const REPORT_FIELDS: Record<CaseKind, readonly ReportField[]> = {
  security: [
    {
      name: 'component',
      label: 'Affected component',
      hint: 'e.g. the daemon, the CNI plugin, a Helm chart',
      multiline: false,
      required: false,
    },
    {
      name: 'version',
      label: 'Affected version(s)',
      hint: 'a release, a commit, or a range',
      multiline: false,
      required: false,
    },
    {
      name: 'body',
      label: 'Description and steps to reproduce',
      hint: 'What is wrong, and how we can see it for ourselves.',
      multiline: true,
      required: true,
    },
    { name: 'impact', label: 'Impact', hint: 'What an attacker could do with it.', multiline: true, required: false },
    {
      name: 'credit',
      label: 'How to credit you',
      hint: 'A name or handle for the advisory, or "anonymous".',
      multiline: false,
      required: false,
    },
    {
      name: 'contact',
      label: 'How to reach you (optional)',
      hint: 'You can also follow up with your receipt, without giving any contact.',
      multiline: false,
      required: false,
    },
  ],
  coc: [
    {
      name: 'body',
      label: 'What happened',
      hint: 'In your own words. Include links or quotes if you have them.',
      multiline: true,
      required: true,
    },
    {
      name: 'when',
      label: 'When it happened',
      hint: 'A date, or roughly: "last week", "at KubeCon".',
      multiline: false,
      required: false,
    },
    {
      name: 'where',
      label: 'Where it happened',
      hint: 'e.g. a GitHub issue, Slack, a meeting, an event',
      multiline: false,
      required: false,
    },
    {
      name: 'people',
      label: 'Who was involved',
      hint: 'Names or handles. Nobody you name is told who reported.',
      multiline: true,
      required: false,
    },
    {
      name: 'witnesses',
      label: 'Witnesses',
      hint: 'Anyone who saw it, if you know.',
      multiline: true,
      required: false,
    },
    {
      name: 'contact',
      label: 'How to reach you (optional)',
      hint: 'An e-mail address or a handle, if you want us to write to you. You can also stay anonymous and follow up with your receipt.',
      multiline: false,
      required: false,
    },
  ],
};

/** What the reporter's follow-up page calls each message, with and without JavaScript. */
export const FOLLOWUP_LABELS = messageLabels('reporter');

/** A size for people: "25 MB", "2 KB" (never "0 MB" for a small limit). */
export function describeSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** A field's text may not exceed this many characters; a report is prose, not a file (attach files). */
export const MAX_FIELD_CHARS = 200_000;

/** All text fields of one no-JavaScript form together, in bytes (UTF-8): the fields at their limit and room for the rest. */
export const FORM_TEXT_MAX_BYTES = 8 * 1024 * 1024;

/** The encrypted report text of a JavaScript-path submission, before armor. */
const ENCRYPTED_REPORT_MAX_BYTES = 4 * 1024 * 1024;
// Armor adds a third, JSON a little more: room for every attachment at its limit plus the report.
export const ARMOR_OVERHEAD = 1.4;
// Headers of one multipart part, generously.
const PART_OVERHEAD_BYTES = 64 * 1024;

interface AttachmentLimits {
  readonly maxAttachmentBytes: number;
  readonly maxAttachments: number;
}

/** The largest body of POST /api/reports: every attachment at its limit, armored, plus the report. */
export function largestApiSubmissionBytes(limits: AttachmentLimits): number {
  return Math.ceil((limits.maxAttachmentBytes * limits.maxAttachments + ENCRYPTED_REPORT_MAX_BYTES) * ARMOR_OVERHEAD);
}

/** The largest body of the no-JavaScript POST /report: every file at its limit plus all text fields. */
export function largestFormBytes(limits: AttachmentLimits): number {
  return (limits.maxAttachmentBytes + PART_OVERHEAD_BYTES) * limits.maxAttachments + FORM_TEXT_MAX_BYTES;
}

/** The largest submission on either path: the upload budget and the per-client cap must hold at least one. */
export function largestSubmissionBytes(limits: AttachmentLimits): number {
  return Math.max(largestApiSubmissionBytes(limits), largestFormBytes(limits));
}

export function isReportKind(value: unknown): value is CaseKind {
  return typeof value === 'string' && (REPORT_KINDS as readonly string[]).includes(value);
}

/** Keeps the known fields of one kind, trimmed; drops anything else a client sent. */
export function pickReportFields(kind: CaseKind, input: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of REPORT_FIELDS[kind]) {
    const raw = input[field.name];
    const value = Array.isArray(raw) ? raw.join('\n') : raw;
    values[field.name] = typeof value === 'string' ? value.replace(/\r\n/g, '\n').trim() : '';
  }
  return values;
}

/** What is wrong with the fields, as messages for the reporter (empty when all is well). */
export function reportFieldProblems(kind: CaseKind, values: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const field of REPORT_FIELDS[kind]) {
    const value = values[field.name] ?? '';
    if (field.required && value === '') problems.push(`"${field.label}" is required.`);
    if (value.length > MAX_FIELD_CHARS)
      problems.push(`"${field.label}" is longer than ${MAX_FIELD_CHARS} characters; attach it as a file instead.`);
  }
  return problems;
}

/**
 * The plaintext document that is encrypted: readable as it is in `gpg --decrypt`, and shown as
 * text in the dashboard. Names of approvers the reporter marked as involved go inside it, never
 * into the database.
 */
export function composeReportDocument(
  kind: CaseKind,
  values: Record<string, string>,
  involvedNames: readonly string[] = [],
): string {
  const sections = [`# ${KIND_TITLES[kind]}`];
  for (const field of REPORT_FIELDS[kind]) {
    const value = values[field.name];
    if (value) sections.push(`## ${field.label}\n\n${value}`);
  }
  if (involvedNames.length > 0) {
    sections.push(
      `## Approvers the reporter marked as involved (they cannot read this report)\n\n${involvedNames.map((n) => `- ${n}`).join('\n')}`,
    );
  }
  return `${sections.join('\n\n')}\n`;
}
