// An advisory draft as an OSV record (https://ossf.github.io/osv-schema/, schema 1.7.5). Pure: made
// in the reader's browser from the decrypted draft, and checked in the tests against OSV's own schema.
import type { AdvisoryDraft } from './advisory-draft';
import { isoSeconds, type AdvisoryExportMeta } from './export-meta';

export const OSV_SCHEMA_VERSION = '1.7.5';

export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string };

export interface OsvRecord {
  schema_version: string;
  id: string;
  modified: string;
  published?: string;
  aliases?: string[];
  summary: string;
  details: string;
  severity?: { type: 'CVSS_V3' | 'CVSS_V4'; score: string }[];
  affected: {
    package: { ecosystem: string; name: string };
    ranges: { type: 'ECOSYSTEM'; events: OsvEvent[] }[];
  }[];
  references?: { type: string; url: string }[];
  credits?: { name: string; type: string; contact?: string[] }[];
  database_specific?: { cwe_ids: string[] };
}

export function osvId(meta: Pick<AdvisoryExportMeta, 'osvIdPrefix' | 'reference'>): string {
  return `${meta.osvIdPrefix}${meta.reference}`;
}

export function toOsv(draft: AdvisoryDraft, meta: AdvisoryExportMeta): OsvRecord {
  const severity = [
    ...(draft.cvss31 ? [{ type: 'CVSS_V3' as const, score: draft.cvss31 }] : []),
    ...(draft.cvss40 ? [{ type: 'CVSS_V4' as const, score: draft.cvss40 }] : []),
  ];
  return {
    schema_version: OSV_SCHEMA_VERSION,
    id: osvId(meta),
    modified: isoSeconds(meta.publishedAt && meta.publishedAt > meta.savedAt ? meta.publishedAt : meta.savedAt),
    ...(meta.publishedAt ? { published: isoSeconds(meta.publishedAt) } : {}),
    ...(draft.aliases.length ? { aliases: [...draft.aliases] } : {}),
    summary: draft.summary,
    details: draft.details,
    ...(severity.length ? { severity } : {}),
    affected: draft.affected.map((p) => ({
      package: { ecosystem: p.ecosystem, name: p.name },
      ranges: p.ranges.map((r) => ({
        type: 'ECOSYSTEM' as const,
        events: [
          { introduced: r.introduced },
          ...(r.fixed !== undefined ? [{ fixed: r.fixed }] : []),
          ...(r.lastAffected !== undefined ? [{ last_affected: r.lastAffected }] : []),
        ],
      })),
    })),
    ...(draft.references.length ? { references: draft.references.map((r) => ({ type: r.type, url: r.url })) } : {}),
    ...(draft.credits.length
      ? {
          credits: draft.credits.map((c) => ({
            name: c.name,
            type: c.type,
            ...(c.contact ? { contact: c.contact } : {}),
          })),
        }
      : {}),
    ...(draft.cwes.length ? { database_specific: { cwe_ids: [...draft.cwes] } } : {}),
  };
}
