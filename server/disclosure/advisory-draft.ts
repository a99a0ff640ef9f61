// The advisory draft of a security case (issue 12 §1): what a reader writes, stored encrypted to
// the case's readers like a comment (a message with role `advisory-draft`, whose plaintext is this
// object as JSON; the newest one is the current draft). Plain data: the browser builds the OSV and
// CSAF exports from it, and the distributors are sent it. OWNER: helper "advisory" (extend it; keep
// the field names, helper "distributors" reads them). Pure: the browser bundle and the tests share it.
import { scoreCvss } from '../cases/severity';
import { DomainError } from '../errors';
import { textProblem } from '../text-checks';
import CWE_NAMES from './cwe-names.json';

/** OSV's credit types (https://ossf.github.io/osv-schema/#creditstype-field). */
export const CREDIT_TYPES = [
  'FINDER',
  'REPORTER',
  'ANALYST',
  'COORDINATOR',
  'REMEDIATION_DEVELOPER',
  'REMEDIATION_REVIEWER',
  'REMEDIATION_VERIFIER',
  'TOOL',
  'SPONSOR',
  'OTHER',
] as const;
export type CreditType = (typeof CREDIT_TYPES)[number];

/** OSV's reference types (https://ossf.github.io/osv-schema/#references-field). */
export const REFERENCE_TYPES = [
  'ADVISORY',
  'ARTICLE',
  'DETECTION',
  'DISCUSSION',
  'REPORT',
  'FIX',
  'INTRODUCED',
  'GIT',
  'PACKAGE',
  'EVIDENCE',
  'WEB',
] as const;

/** OSV's ecosystems (schema 1.7.5); one may carry a suffix, like "Debian:12". */
export const OSV_ECOSYSTEMS = [
  'AlmaLinux', 'Alpaquita', 'Alpine', 'Android', 'Azure Linux', 'BellSoft Hardened Containers', 'Bioconductor',
  'Bitnami', 'Chainguard', 'CleanStart', 'ConanCenter', 'CRAN', 'crates.io', 'Debian', 'Docker Hardened Images',
  'Echo', 'FreeBSD', 'GHC', 'GitHub Actions', 'Go', 'Hackage', 'Hex', 'Julia', 'Kubernetes', 'Linux', 'Mageia',
  'Maven', 'MinimOS', 'npm', 'NuGet', 'opam', 'openEuler', 'openSUSE', 'OSS-Fuzz', 'Packagist', 'Photon OS', 'Pub',
  'PyPI', 'Red Hat', 'Rocky Linux', 'Root', 'RubyGems', 'SUSE', 'SwiftURL', 'TuxCare', 'Ubuntu', 'VSCode', 'Wolfi',
] as const; // prettier-ignore

export interface AdvisoryRange {
  introduced: string;
  fixed?: string;
  lastAffected?: string;
}

export interface AffectedPackage {
  /** An OSV ecosystem ("Go", "npm", "PyPI", …). */
  ecosystem: string;
  name: string;
  ranges: AdvisoryRange[];
}

export interface AdvisoryDraft {
  version: 1;
  summary: string;
  /** Markdown. */
  details: string;
  affected: AffectedPackage[];
  cvss31?: string;
  cvss40?: string;
  /** "CWE-79", … */
  cwes: string[];
  /** A CVE id once assigned, a GHSA id, … */
  aliases: string[];
  credits: { name: string; type: CreditType; contact?: string[] }[];
  references: { type: string; url: string }[];
  /** When the advisory is to be published (the embargo's end), ISO 8601; optional until planned. */
  plannedPublication?: string;
}

/** What is wrong with a draft, by the form field it belongs to (summary, details, affected, cvss31, …). */
export type DraftProblems = Map<string, string>;

export const DRAFT_LIMITS = Object.freeze({ summary: 200, details: 50_000, line: 1000, items: 100 });

const ALIAS = /^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3}|[A-Za-z][A-Za-z0-9.+_-]*-[A-Za-z0-9._:-]+)$/;
const CVE = /^CVE-\d{4}-\d{4,}$/;

/** The CWE's name (CWE's own list, as CSAF requires it with the id); undefined for an unknown id. */
export function cweName(id: string): string | undefined {
  return Object.hasOwn(CWE_NAMES, id) ? (CWE_NAMES as Record<string, string>)[id] : undefined;
}

export function isOsvEcosystem(value: string): boolean {
  const [base, ...suffix] = value.split(':');
  return (OSV_ECOSYSTEMS as readonly string[]).includes(base!) && (suffix.length === 0 || suffix.join(':') !== '');
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !/\s/.test(value);
  } catch {
    return false;
  }
}

function cvssProblem(vector: string | undefined, version: '3.1' | '4.0'): string | null {
  if (vector === undefined) return null;
  if (!vector.startsWith(`CVSS:${version}/`)) return `A CVSS ${version} vector starts with CVSS:${version}/.`;
  try {
    scoreCvss(vector);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
}

/** Every problem of a draft (empty: it may be saved and exported). */
export function draftProblems(draft: AdvisoryDraft): DraftProblems {
  const problems: DraftProblems = new Map();
  const add = (field: string, message: string | null) => {
    if (message && !problems.has(field)) problems.set(field, message);
  };
  if (draft.summary.trim() === '') add('summary', 'Write a one-line summary of the vulnerability.');
  add('summary', textProblem(draft.summary, 'The summary', DRAFT_LIMITS.summary));
  if (/[\r\n]/.test(draft.summary)) add('summary', 'The summary is one line.');
  if (draft.details.trim() === '') add('details', 'Describe the vulnerability in the details.');
  add('details', textProblem(draft.details, 'The details', DRAFT_LIMITS.details));
  if (draft.affected.length === 0) add('affected', 'Name at least one affected package.');
  for (const p of draft.affected) {
    const what = `The package "${p.name}"`;
    if (!isOsvEcosystem(p.ecosystem))
      add('affected', `"${p.ecosystem}" is not an OSV ecosystem; use one of: ${OSV_ECOSYSTEMS.join(', ')}.`);
    if (p.name.trim() === '') add('affected', 'Each affected package needs its name.');
    add('affected', textProblem(`${p.ecosystem}${p.name}`, what, DRAFT_LIMITS.line));
    if (p.ranges.length === 0) add('affected', `${what} needs a version range (introduced "0" means from the first).`);
    for (const r of p.ranges) {
      if (r.introduced.trim() === '') add('affected', `${what}: say where the range starts ("0": from the first).`);
      if (r.fixed !== undefined && r.lastAffected !== undefined)
        add('affected', `${what}: a range has either a fixed version or a last affected one, not both.`);
      add('affected', textProblem(`${r.introduced}${r.fixed ?? ''}${r.lastAffected ?? ''}`, what, DRAFT_LIMITS.line));
    }
  }
  add('cvss31', cvssProblem(draft.cvss31, '3.1'));
  add('cvss40', cvssProblem(draft.cvss40, '4.0'));
  for (const cwe of draft.cwes)
    if (!/^CWE-\d{1,5}$/.test(cwe)) add('cwes', `"${cwe}" is not a CWE id: write it like CWE-79.`);
    else if (!cweName(cwe)) add('cwes', `${cwe} is not a weakness in CWE's list (categories and views are not).`);
  for (const alias of draft.aliases)
    if (!ALIAS.test(alias)) add('aliases', `"${alias}" is not an advisory id (like CVE-2026-12345 or a GHSA id).`);
  if (draft.aliases.filter((a) => CVE.test(a)).length > 1)
    add('aliases', 'One advisory has at most one CVE id (CSAF gives a vulnerability one): split it up.');
  for (const credit of draft.credits) {
    if (credit.name.trim() === '') add('credits', 'Each credit needs a name.');
    if (!(CREDIT_TYPES as readonly string[]).includes(credit.type))
      add('credits', `"${credit.type}" is not a credit type; use one of: ${CREDIT_TYPES.join(', ')}.`);
    add('credits', textProblem([credit.name, ...(credit.contact ?? [])].join(''), 'A credit', DRAFT_LIMITS.line));
  }
  for (const ref of draft.references) {
    if (!(REFERENCE_TYPES as readonly string[]).includes(ref.type))
      add('references', `"${ref.type}" is not a reference type; use one of: ${REFERENCE_TYPES.join(', ')}.`);
    if (!isWebUrl(ref.url)) add('references', `"${ref.url}" is not an http(s) address.`);
  }
  for (const [field, items] of [
    ['affected', draft.affected],
    ['cwes', draft.cwes],
    ['aliases', draft.aliases],
    ['credits', draft.credits],
    ['references', draft.references],
  ] as const)
    if (items.length > DRAFT_LIMITS.items) add(field, `At most ${DRAFT_LIMITS.items} of these.`);
  if (draft.plannedPublication !== undefined && Number.isNaN(Date.parse(draft.plannedPublication)))
    add('plannedPublication', 'Give the planned publication as YYYY-MM-DD.');
  return problems;
}
