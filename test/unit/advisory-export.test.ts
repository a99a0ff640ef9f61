// Issue 12 §1: the OSV and CSAF exports of an advisory draft, a filled one and a minimal one,
// validate against their official validators; each validator rejects a broken document, so that
// passing means something. The drafts go through the form's parser, as the reader's browser does.
import { draftProblems, OSV_ECOSYSTEMS, type AdvisoryDraft } from '../../server/disclosure/advisory-draft';
import { draftFields, parseAdvisoryFields, prefilledFields } from '../../server/disclosure/advisory-form';
import { CVSS40_NOTE_TITLE, toCsaf, versOf } from '../../server/disclosure/csaf-export';
import type { AdvisoryExportMeta } from '../../server/disclosure/export-meta';
import { toOsv } from '../../server/disclosure/osv-export';
import { csafResults, osvErrors } from '../helpers/advisory-validators';
import osvSchema from '../fixtures/osv-schema.json';

const FILLED = {
  summary: 'Path traversal in the archive extractor',
  details: 'Extracting a crafted archive writes **outside** the target directory.\n\n```\ntar -x evil.tar\n```',
  affected: [
    'Go | github.com/kmesh-net/kmesh | 0 | 1.0.3',
    'Go | github.com/kmesh-net/kmesh | 1.1.0 | 1.1.2',
    'npm | @kmesh/cli | 2.0.0 | | 2.4.1',
  ].join('\n'),
  cvss31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  cvss40: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
  cwes: 'CWE-22, cwe-59',
  aliases: 'CVE-2026-12345 GHSA-xxxx-xxxx-xxxx',
  credits:
    'FINDER | Ada Lovelace | mailto:ada@example.org\nremediation developer | Alan Turing | https://example.org/alan',
  references:
    'ADVISORY | https://github.com/kmesh-net/kmesh/security/advisories/GHSA-xxxx-xxxx-xxxx\nFIX | https://github.com/kmesh-net/kmesh/commit/abc',
  plannedPublication: '2026-12-20',
};
const MINIMAL = {
  ...emptyFields(),
  summary: 'Crash on a long header',
  details: 'A long header crashes the proxy.',
  affected: 'Go | github.com/kmesh-net/kmesh',
};

function emptyFields() {
  return prefilledFields({ severityVector: null, cwe: null, affectedVersions: null, embargoUntil: null });
}

const DRAFT_META: AdvisoryExportMeta = {
  reference: 'SEC-2026-7K3M-9QXD',
  osvIdPrefix: 'x_kmesh-',
  publisher: { name: 'Kmesh', namespace: 'https://kmesh.net' },
  savedAt: '2026-12-01T10:00:00.123Z',
  publishedAt: null,
};
const PUBLISHED_META = { ...DRAFT_META, publishedAt: '2026-12-20T09:00:00.000Z' };

function parsed(fields: typeof FILLED): AdvisoryDraft {
  const { draft, problems } = parseAdvisoryFields(fields);
  expect(Object.fromEntries(problems)).toEqual({});
  return draft;
}

describe('the form and the draft', () => {
  test('a filled form parses to the draft it says, and back to the same text', () => {
    const draft = parsed(FILLED);
    expect(draft.affected).toEqual([
      {
        ecosystem: 'Go',
        name: 'github.com/kmesh-net/kmesh',
        ranges: [
          { introduced: '0', fixed: '1.0.3' },
          { introduced: '1.1.0', fixed: '1.1.2' },
        ],
      },
      { ecosystem: 'npm', name: '@kmesh/cli', ranges: [{ introduced: '2.0.0', lastAffected: '2.4.1' }] },
    ]);
    expect(draft.cwes).toEqual(['CWE-22', 'CWE-59']);
    expect(draft.credits[1]).toEqual({
      name: 'Alan Turing',
      type: 'REMEDIATION_DEVELOPER',
      contact: ['https://example.org/alan'],
    });
    expect(parseAdvisoryFields(draftFields(draft)).draft).toEqual(draft);
  });

  test('each bad field is named with a sentence; nothing typed is changed', () => {
    const bad = {
      ...FILLED,
      summary: '',
      affected: 'Cobol | thing | 0\nGo | x | 1.0 | 1.1 | 1.2',
      cvss31: 'CVSS:3.1/AV:N/AC:L',
      cvss40: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      cwes: 'CWE-99999 XSS',
      aliases: 'CVE-2026-1111 CVE-2026-2222',
      credits: 'HERO | Someone',
      references: 'WEB | javascript:alert(1)',
      plannedPublication: 'next week',
    };
    const { problems } = parseAdvisoryFields(bad);
    expect([...problems.keys()].sort()).toEqual(
      [
        'affected',
        'aliases',
        'credits',
        'cvss31',
        'cvss40',
        'cwes',
        'plannedPublication',
        'references',
        'summary',
      ].sort(),
    );
    expect(problems.get('cvss31')).toContain('lacks the base metric');
    expect(problems.get('affected')).toContain('Cobol');
    expect(bad.summary).toBe('');
  });

  test('the prefill takes the case’s vector (by its version), CWE and embargo date', () => {
    const fields = prefilledFields({
      severityVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      cwe: 'CWE-79',
      affectedVersions: '< 1.2',
      embargoUntil: '2026-12-24',
    });
    expect(fields).toMatchObject({
      cvss31: '',
      cvss40: expect.stringMatching(/^CVSS:4\.0\//),
      cwes: 'CWE-79',
      plannedPublication: '2026-12-24',
    });
  });

  test('our list of OSV ecosystems is the vendored schema’s', () => {
    expect([...OSV_ECOSYSTEMS]).toEqual(osvSchema.$defs.ecosystemName.enum);
  });

  test('ranges become vers strings', () => {
    expect(versOf('npm', { introduced: '2.0.0', lastAffected: '2.4.1' })).toBe('vers:npm/>=2.0.0|<=2.4.1');
    expect(versOf('Go', { introduced: '0', fixed: '1.0.3' })).toBe('vers:golang/<1.0.3');
    expect(versOf('Debian:12', { introduced: '0' })).toBe('vers:deb/*');
  });
});

describe('OSV', () => {
  test.each([
    ['filled, draft', FILLED, DRAFT_META],
    ['filled, published', FILLED, PUBLISHED_META],
    ['minimal', MINIMAL, DRAFT_META],
  ])('the %s export validates against the OSV schema', (_name, fields, meta) => {
    const record = toOsv(parsed(fields), meta);
    expect(osvErrors(record)).toEqual([]);
    expect(record.id).toBe('x_kmesh-SEC-2026-7K3M-9QXD');
    expect(record.schema_version).toBe('1.7.5');
    if (meta.publishedAt) expect(record.published).toBe('2026-12-20T09:00:00Z');
    else expect(record).not.toHaveProperty('published');
  });

  test('the filled export carries every part of the draft', () => {
    const record = toOsv(parsed(FILLED), PUBLISHED_META);
    expect(record.severity).toEqual([
      { type: 'CVSS_V3', score: FILLED.cvss31 },
      { type: 'CVSS_V4', score: FILLED.cvss40 },
    ]);
    expect(record.affected[1]!.ranges[0]!.events).toEqual([{ introduced: '2.0.0' }, { last_affected: '2.4.1' }]);
    expect(record.aliases).toEqual(['CVE-2026-12345', 'GHSA-xxxx-xxxx-xxxx']);
    expect(record.credits?.map((c) => c.type)).toEqual(['FINDER', 'REMEDIATION_DEVELOPER']);
    expect(record.database_specific).toEqual({ cwe_ids: ['CWE-22', 'CWE-59'] });
  });

  test('the schema rejects broken records: an unregistered id prefix, fixed with last_affected, a bad time', () => {
    const good = toOsv(parsed(FILLED), DRAFT_META);
    expect(osvErrors({ ...good, id: 'KMESH-2026-1' })).not.toEqual([]);
    const both = structuredClone(good);
    both.affected[0]!.ranges[0]!.events.push({ last_affected: '1.0.2' });
    expect(osvErrors(both)).not.toEqual([]);
    expect(osvErrors({ ...good, modified: '2026-12-01' })).not.toEqual([]);
    expect(osvErrors({ ...good, affected: [{ package: { ecosystem: 'Cobol', name: 'x' } }] })).not.toEqual([]);
  });
});

describe('CSAF 2.0', () => {
  test('the filled (draft and published) and minimal exports pass the strict schema and every mandatory test; broken ones do not', async () => {
    const filled = toCsaf(parsed(FILLED), DRAFT_META);
    const published = toCsaf(parsed(FILLED), PUBLISHED_META);
    const minimal = toCsaf(parsed(MINIMAL), DRAFT_META);
    const wrongCwe = structuredClone(published);
    wrongCwe.vulnerabilities[0]!.cwe = { id: 'CWE-22', name: 'Cross-site Scripting' };
    const wrongScore = structuredClone(published);
    wrongScore.vulnerabilities[0]!.scores![0]!.cvss_v3.baseScore = 3.1;
    const noTracking = structuredClone(minimal) as { document: Record<string, unknown> };
    delete noTracking.document.tracking;
    const results = await csafResults([filled, published, minimal, wrongCwe, wrongScore, noTracking]);
    expect(results.slice(0, 3).map((r) => r.errors)).toEqual([[], [], []]);
    expect(results.map((r) => r.isValid)).toEqual([true, true, true, false, false, false]);
    expect(results[3]!.errors.map((e) => e.test)).toContain('mandatoryTest_6_1_11');
    expect(results[4]!.errors.map((e) => e.test)).toContain('mandatoryTest_6_1_9');
    expect(results[5]!.errors.map((e) => e.test)).toContain('csaf_2_0_strict');
  }, 120_000);

  test('the export says what the draft says; a 4.0 vector becomes a note, never a score', () => {
    const doc = toCsaf(parsed(FILLED), PUBLISHED_META);
    expect(doc.document.tracking).toMatchObject({ id: 'SEC-2026-7K3M-9QXD', status: 'final', version: '1' });
    const v = doc.vulnerabilities[0]!;
    expect(v.cve).toBe('CVE-2026-12345');
    expect(v.cwe).toEqual({
      id: 'CWE-22',
      name: "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    });
    expect(v.scores).toEqual([
      {
        products: v.product_status.known_affected,
        cvss_v3: { version: '3.1', vectorString: FILLED.cvss31, baseScore: 9.8, baseSeverity: 'CRITICAL' },
      },
    ]);
    expect(v.notes.find((n) => n.title === CVSS40_NOTE_TITLE)?.text).toContain(FILLED.cvss40);
    expect(v.remediations?.map((r) => r.details)).toEqual([
      'Update github.com/kmesh-net/kmesh (Go) to 1.0.3 or later.',
      'Update github.com/kmesh-net/kmesh (Go) to 1.1.2 or later.',
    ]);
    expect(v.acknowledgments?.map((a) => a.names)).toEqual([['Ada Lovelace'], ['Alan Turing']]);
    const only4 = toCsaf(parsed({ ...FILLED, cvss31: '' }), PUBLISHED_META).vulnerabilities[0]!;
    expect(only4).not.toHaveProperty('scores');
    expect(only4.notes.map((n) => n.title)).toContain(CVSS40_NOTE_TITLE);
  });
});

test('a draft with no problem from the parser has none from draftProblems either', () => {
  expect(draftProblems(parsed(MINIMAL)).size).toBe(0);
});
