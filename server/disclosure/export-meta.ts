// What an export needs besides the draft: who publishes it, under which id, and when. The browser
// gets it from the server with the draft's ciphertext (server/http/advisory-routes.ts).
export interface AdvisoryExportMeta {
  /** The case's reference (SEC-2026-7K3M-9QXD). */
  reference: string;
  /** OSV ids: a registered prefix ("GHSA-", "GO-", …) or "x_<project>-" (config OSV_ID_PREFIX). */
  osvIdPrefix: string;
  /** CSAF's document publisher (config CSAF_PUBLISHER_NAME, CSAF_PUBLISHER_NAMESPACE). */
  publisher: { name: string; namespace: string };
  /** When the draft was last saved (OSV modified, CSAF current release of a draft), ISO 8601. */
  savedAt: string;
  /** When the case was published (status `published` or later), ISO 8601; null: still a draft. */
  publishedAt: string | null;
}

/** An ISO 8601 time in whole seconds with "Z", which both schemas accept. */
export function isoSeconds(at: string): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
