// An advisory draft as a CSAF 2.0 security advisory (OASIS CSAF 2.0). Pure: made in the reader's
// browser from the decrypted draft, and checked in the tests with the BSI's csaf-validator-lib (its
// strict schema and mandatory tests). CSAF 2.0 has no CVSS 4.0 field: a 4.0 vector goes into a note
// of the vulnerability, so an advisory scored in 4.0 alone has no machine-readable score in CSAF.
import { scoreCvss } from '../cases/severity';
import { cweName, type AdvisoryDraft, type AdvisoryRange } from './advisory-draft';
import { isoSeconds, type AdvisoryExportMeta } from './export-meta';

export const CVSS40_NOTE_TITLE = 'CVSS v4.0 (CSAF 2.0 has no field for it)';

// package-url types for vers (https://github.com/package-url/vers-spec), by OSV ecosystem.
const VERS_SCHEMES: Record<string, string> = {
  'crates.io': 'cargo',
  Go: 'golang',
  Maven: 'maven',
  npm: 'npm',
  NuGet: 'nuget',
  Packagist: 'composer',
  PyPI: 'pypi',
  RubyGems: 'gem',
  Hex: 'hex',
  Pub: 'pub',
  'GitHub Actions': 'github',
  Debian: 'deb',
  Ubuntu: 'deb',
  Alpine: 'apk',
};

function versScheme(ecosystem: string): string {
  const base = ecosystem.split(':')[0]!;
  return VERS_SCHEMES[base] ?? (base.toLowerCase().replace(/[^a-z0-9]/g, '') || 'generic');
}

/** A range as a vers string: vers:npm/>=1.0.0|<1.2.3 (introduced "0": no lower bound). */
export function versOf(ecosystem: string, range: AdvisoryRange): string {
  const bounds = [
    ...(range.introduced !== '0' ? [`>=${range.introduced}`] : []),
    ...(range.fixed !== undefined ? [`<${range.fixed}`] : []),
    ...(range.lastAffected !== undefined ? [`<=${range.lastAffected}`] : []),
  ];
  return `vers:${versScheme(ecosystem)}/${bounds.length ? bounds.join('|') : '*'}`;
}

interface Product {
  product_id: string;
  name: string;
}
type Branch =
  | { category: 'vendor' | 'product_name'; name: string; branches: Branch[] }
  | { category: 'product_version' | 'product_version_range'; name: string; product: Product };

/** The product tree: one product per package; under it each affected range and each fixed version. */
function productTree(draft: AdvisoryDraft, vendor: string) {
  const affected: string[] = [];
  const fixed: string[] = [];
  const remediations: { category: 'vendor_fix'; details: string; product_ids: string[] }[] = [];
  const products = draft.affected.map((p, i) => {
    const label = `${p.name} (${p.ecosystem})`;
    const leaves: Branch[] = [];
    p.ranges.forEach((r, j) => {
      const id = `CSAFPID-${i + 1}-${j + 1}`;
      affected.push(id);
      const vers = versOf(p.ecosystem, r);
      leaves.push({
        category: 'product_version_range',
        name: vers,
        product: { product_id: id, name: `${label} ${vers}` },
      });
      if (r.fixed !== undefined) {
        const fixedId = `${id}-fixed`;
        fixed.push(fixedId);
        leaves.push({
          category: 'product_version',
          name: r.fixed,
          product: { product_id: fixedId, name: `${label} ${r.fixed}` },
        });
        remediations.push({
          category: 'vendor_fix',
          details: `Update ${label} to ${r.fixed} or later.`,
          product_ids: [id],
        });
      }
    });
    return { category: 'product_name' as const, name: label, branches: leaves };
  });
  return {
    tree: { branches: [{ category: 'vendor' as const, name: vendor, branches: products }] },
    affected,
    fixed,
    remediations,
  };
}

function tracking(meta: AdvisoryExportMeta) {
  const generator = { engine: { name: 'confidential-intake' }, date: isoSeconds(meta.savedAt) };
  if (meta.publishedAt) {
    const at = isoSeconds(meta.publishedAt);
    return {
      id: meta.reference,
      status: 'final' as const,
      version: '1',
      revision_history: [{ date: at, number: '1', summary: 'Initial public release.' }],
      initial_release_date: at,
      current_release_date: at,
      generator,
    };
  }
  const at = isoSeconds(meta.savedAt);
  return {
    id: meta.reference,
    status: 'draft' as const,
    version: '0',
    revision_history: [{ date: at, number: '0', summary: 'Draft under embargo, not yet published.' }],
    initial_release_date: at,
    current_release_date: at,
    generator,
  };
}

export function toCsaf(draft: AdvisoryDraft, meta: AdvisoryExportMeta) {
  const { tree, affected, fixed, remediations } = productTree(draft, meta.publisher.name);
  const cve = draft.aliases.find((a) => /^CVE-\d{4}-\d{4,}$/.test(a));
  const otherIds = draft.aliases
    .filter((a) => a !== cve)
    .map((a) => ({ system_name: a.startsWith('GHSA-') ? 'GitHub Security Advisory' : a.split('-')[0]!, text: a }));
  const [firstCwe, ...moreCwes] = draft.cwes;
  const v3 = draft.cvss31 ? scoreCvss(draft.cvss31) : null;
  const v4 = draft.cvss40 ? scoreCvss(draft.cvss40) : null;
  const notes = [
    { category: 'description' as const, title: 'Details', text: draft.details },
    ...(moreCwes.length
      ? [
          {
            category: 'other' as const,
            title: 'Further weaknesses (CWE)',
            text: moreCwes.map((id) => `${id}: ${cweName(id)}`).join('\n'),
          },
        ]
      : []),
    ...(v4
      ? [
          {
            category: 'other' as const,
            title: CVSS40_NOTE_TITLE,
            text: `${v4.vector} (base score ${v4.score}, ${v4.rating})`,
          },
        ]
      : []),
  ];
  const references = draft.references.map((r) => ({ category: 'external' as const, summary: r.type, url: r.url }));
  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      lang: 'en',
      title: draft.summary,
      publisher: { category: 'vendor', name: meta.publisher.name, namespace: meta.publisher.namespace },
      distribution: meta.publishedAt
        ? { tlp: { label: 'WHITE' } }
        : { text: 'Under embargo: for the readers of the case and the distributors only.', tlp: { label: 'AMBER' } },
      notes: [{ category: 'summary', title: 'Summary', text: draft.summary }],
      ...(references.length ? { references } : {}),
      tracking: tracking(meta),
    },
    product_tree: tree,
    vulnerabilities: [
      {
        title: draft.summary,
        ...(cve ? { cve } : {}),
        ...(otherIds.length ? { ids: otherIds } : {}),
        ...(firstCwe ? { cwe: { id: firstCwe, name: cweName(firstCwe) ?? firstCwe } } : {}),
        notes,
        product_status: { known_affected: affected, ...(fixed.length ? { fixed } : {}) },
        ...(remediations.length ? { remediations } : {}),
        ...(v3
          ? {
              scores: [
                {
                  products: affected,
                  cvss_v3: {
                    version: '3.1',
                    vectorString: v3.vector,
                    baseScore: v3.score,
                    baseSeverity: v3.rating.toUpperCase(),
                  },
                },
              ],
            }
          : {}),
        ...(references.length ? { references } : {}),
        ...(draft.credits.length
          ? {
              acknowledgments: draft.credits.map((c) => ({
                names: [c.name],
                summary: c.type.toLowerCase().replace(/_/g, ' '),
                ...(c.contact?.some((u) => /^https?:/.test(u))
                  ? { urls: c.contact.filter((u) => /^https?:/.test(u)) }
                  : {}),
              })),
            }
          : {}),
      },
    ],
  };
}
