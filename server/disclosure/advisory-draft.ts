// The advisory draft of a security case (issue 12 §1): what a reader writes, stored encrypted to
// the case's readers like a comment (a message with role `advisory-draft`, whose plaintext is this
// object as JSON; the newest one is the current draft). Plain data: the browser builds the OSV and
// CSAF exports from it, and the distributors are sent it. OWNER: helper "advisory" (extend it; keep
// the field names, helper "distributors" reads them).

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
