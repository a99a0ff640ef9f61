// Issue 11 §5 on a real PostgreSQL: the transparency report's counts against plain SQL, across two
// periods and their edges; the small-count rule in the report, the page, the CSV and the Markdown
// (and that a small count can change without any shown figure moving); medians; the files parse
// back (a real CSV parser, a real XML parser for the chart); period choice; approvers only.
import { parse } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { sql } from 'kysely';
import { writeCharterValue } from '../../db/charter.queries';
import type { CaseChannel, CaseKind } from '../../db/database';
import { lastCompletedPeriod, previousPeriod, type ReportPeriod } from '../../server/transparency/periods';
import { transparencyReport } from '../../server/transparency/report';
import { reportSections } from '../../server/transparency/report-words';
import { CSV_HEADER } from '../../server/transparency/report-files';
import { moveCase } from '../../server/cases/case-work';
import { reopenCase } from '../../server/cases/case-reopen';
import { silentCaseEvents } from '../../server/cases/case-events';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { encryptArmored, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { at, seedCase } from '../helpers/transparency-cases';

let t: TestDatabase;
let server: AuthTestServer;
let approver: EnrolledMember;
let srt: EnrolledMember;
const P: ReportPeriod = lastCompletedPeriod(new Date(), 6);
const Q: ReportPeriod = previousPeriod(P);
const R: ReportPeriod = previousPeriod(Q);
const KINDS: CaseKind[] = ['security', 'coc'];
const CHANNELS: CaseChannel[] = ['web', 'web-no-js', 'email'];
let smallCaseId: string;

// Reports received: P has small cells (security e-mail 2, CoC no-JS 1); Q has none below 3.
const RECEIVED: Record<'P' | 'Q', Record<string, number>> = {
  P: { 'security.web': 5, 'security.email': 2, 'coc.web': 4, 'coc.email': 3, 'coc.web-no-js': 1 },
  Q: { 'security.web': 3, 'security.email': 4, 'security.web-no-js': 3, 'coc.web': 3, 'coc.email': 6 },
};
// CoC outcomes recorded in each period ("mediation": a kind another version may record; counted as found).
const RESOLVED: Record<'P' | 'Q', Record<string, number>> = {
  P: { 'no-violation': 4, warning: 2, 'temporary-ban': 3, mediation: 3 },
  Q: { 'no-violation': 3, warning: 3, 'permanent-ban': 1 },
};

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  approver = await enrolMember(t.db, server, 'alice', 'approver');
  await enrolMember(t.db, server, 'bob', 'approver');
  srt = await enrolMember(t.db, server, 'erin', 'srt');
  for (const [name, period] of [
    ['P', P],
    ['Q', Q],
  ] as const) {
    let i = 0;
    for (const [cell, n] of Object.entries(RECEIVED[name])) {
      const [kind, channel] = cell.split('.') as [CaseKind, CaseChannel];
      for (let k = 0; k < n; k++, i++) {
        // The first case of each period at its very first millisecond; acknowledged 2 to 40 hours later.
        const createdAt = i === 0 ? period.start : at(period.start, 24 * (i + 1));
        const id = await seedCase(t.db, {
          kind,
          channel,
          createdAt,
          acknowledgedAt: at(createdAt, 2 + ((i * 7) % 39)),
        });
        if (name === 'P' && cell === 'security.email' && k === 0) smallCaseId = id;
      }
    }
    let j = 0;
    for (const [resolution, n] of Object.entries(RESOLVED[name]))
      for (let k = 0; k < n; k++, j++) {
        // Reported in the period before (R for P's outcomes would miss Q's counts: use R for both).
        const createdAt = at(R.start, 24 * j + k);
        await seedCase(t.db, {
          kind: 'coc',
          channel: 'email',
          createdAt,
          acknowledgedAt: at(createdAt, 1),
          resolution,
          resolvedAt: at(period.start, 24 * (j + 1)),
        });
      }
  }
  // The edges: the last millisecond before P (in Q), and the first after it (in the running period).
  await seedCase(t.db, { kind: 'security', channel: 'web', createdAt: new Date(P.start.getTime() - 1) });
  await seedCase(t.db, { kind: 'coc', channel: 'web', createdAt: P.end, acknowledgedAt: at(P.end, 1) });
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

/** The plain SQL reference: reports received in [start, end), by kind and channel. */
async function referenceReceived(period: ReportPeriod): Promise<Map<string, number>> {
  const { rows } = await sql<{ kind: string; channel: string; n: string }>`
    SELECT kind, channel, count(*) AS n FROM cases
     WHERE created_at >= ${period.start} AND created_at < ${period.end} GROUP BY kind, channel`.execute(t.db);
  return new Map(rows.map((r) => [`${r.kind}.${r.channel}`, Number(r.n)]));
}
async function referenceOutcomes(period: ReportPeriod): Promise<Map<string, number>> {
  const { rows } = await sql<{ resolution: string; n: string }>`
    SELECT resolution, count(*) AS n FROM cases
     WHERE kind = 'coc' AND resolution IS NOT NULL AND resolved_at >= ${period.start} AND resolved_at < ${period.end}
     GROUP BY resolution`.execute(t.db);
  return new Map(rows.map((r) => [r.resolution, Number(r.n)]));
}
/** The median in JavaScript over durations read by plain SQL. */
async function referenceMedianHours(kind: CaseKind, column: 'acknowledged_at' | 'resolved_at', period: ReportPeriod) {
  const { rows } = await sql<{ seconds: string }>`
    SELECT extract(epoch FROM (${sql.ref(column)} - created_at)) AS seconds FROM cases
     WHERE kind = ${kind} AND ${sql.ref(column)} >= ${period.start} AND ${sql.ref(column)} < ${period.end}`.execute(
    t.db,
  );
  const values = rows.map((r) => Number(r.seconds)).sort((a, b) => a - b);
  const mid = Math.floor(values.length / 2);
  const median = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return { count: values.length, hours: median / 3600 };
}

const wordsOf = async (threshold = 3) => {
  const sections = reportSections(await transparencyReport(t.db, P, threshold));
  return new Map(sections.flatMap((s) => s.rows.map((r) => [r.key, r] as const)));
};

test('with nothing small (threshold 1), every count equals the plain SQL reference, in both periods', async () => {
  const report = await transparencyReport(t.db, P, 1);
  for (const [period, side] of [
    [P, 'current'],
    [Q, 'previous'],
  ] as const) {
    const received = await referenceReceived(period);
    for (const kind of KINDS)
      for (const channel of CHANNELS) {
        const row = report.reports.find((r) => r.key === `reports.${kind}.${channel}`)!;
        expect(row[side]).toEqual({ shown: 'exact', value: received.get(`${kind}.${channel}`) ?? 0 });
      }
    const total = [...received.values()].reduce((a, b) => a + b, 0);
    expect(report.reports.find((r) => r.key === 'reports.all')![side]).toEqual({ shown: 'exact', value: total });
    const outcomes = await referenceOutcomes(period);
    for (const [resolution, n] of outcomes)
      expect(report.outcomes.find((r) => r.key === `outcomes.${resolution}`)![side]).toEqual({
        shown: 'exact',
        value: n,
      });
  }
  // The seeds, and the edges: P's first millisecond counts in P, the millisecond before in Q, P's end in neither.
  expect(report.reports.find((r) => r.key === 'reports.security.web')!.current).toEqual({ shown: 'exact', value: 5 });
  expect(report.reports.find((r) => r.key === 'reports.security.web')!.previous).toEqual({ shown: 'exact', value: 4 });
  expect(report.reports.find((r) => r.key === 'reports.coc.web')!.current).toEqual({ shown: 'exact', value: 4 });
  expect(report.outcomes.find((r) => r.key === 'outcomes.mediation')!.current).toEqual({ shown: 'exact', value: 3 });
  expect(report.reports.find((r) => r.key === 'reports.security.web')!.change).toEqual({ shown: 'exact', value: 1 });
});

test('the small-count rule: "fewer than 3", totals that include one not shown, and no change that reveals one', async () => {
  const rows = await wordsOf();
  const received = await referenceReceived(P);
  for (const kind of KINDS)
    for (const channel of CHANNELS) {
      const n = received.get(`${kind}.${channel}`) ?? 0;
      expect(rows.get(`reports.${kind}.${channel}`)!.current).toBe(n > 0 && n < 3 ? 'fewer than 3' : String(n));
    }
  expect(rows.get('reports.security.email')).toMatchObject({
    current: 'fewer than 3',
    previous: '4',
    change: 'not shown',
  });
  expect(rows.get('reports.coc.web-no-js')).toMatchObject({
    current: 'fewer than 3',
    previous: '0',
    change: 'not shown',
  });
  // Totals over a small count are withheld (subtraction would give it away); over exact ones they show.
  expect(rows.get('reports.security')).toMatchObject({ current: 'not shown', previous: '11', change: 'not shown' });
  expect(rows.get('reports.all')!.current).toBe('not shown');
  expect(rows.get('reports.all.web')).toMatchObject({ current: '9', previous: '7', change: '+2' });
  expect(rows.get('outcomes.warning')).toMatchObject({ current: 'fewer than 3', previous: '3', change: 'not shown' });
  expect(rows.get('outcomes.permanent-ban')).toMatchObject({
    current: '0',
    previous: 'fewer than 3',
    change: 'not shown',
  });
  expect(rows.get('outcomes.all')).toMatchObject({ current: 'not shown', previous: 'not shown' });
  expect(rows.get('outcomes.no-violation')).toMatchObject({ current: '4', previous: '3', change: '+1' });
});

// Counts only: a median moves with any case it covers, which is why it needs the threshold's number of cases.
const countSections = async () => reportSections(await transparencyReport(t.db, P, 3)).filter((s) => s.id !== 'times');

test('a small count can move from 2 to 1 without any count or total of the report changing', async () => {
  const before = await countSections();
  const row = await t.db.selectFrom('cases').selectAll().where('id', '=', smallCaseId).executeTakeFirstOrThrow();
  await t.db.deleteFrom('cases').where('id', '=', smallCaseId).execute();
  try {
    expect(await countSections()).toEqual(before);
  } finally {
    smallCaseId = await seedCase(t.db, {
      kind: row.kind,
      channel: row.channel,
      createdAt: row.created_at,
      acknowledgedAt: row.acknowledged_at!,
    });
  }
});

test('medians match a reference over the same cases, and are not shown over fewer than the threshold', async () => {
  const report = await transparencyReport(t.db, P, 3);
  for (const kind of KINDS) {
    const ref = await referenceMedianHours(kind, 'acknowledged_at', P);
    const row = report.times.find((r) => r.key === `acknowledge.${kind}`)!;
    expect(ref.count).toBeGreaterThanOrEqual(3);
    expect(row.current).toMatchObject({ shown: 'exact', cases: ref.count });
    expect((row.current as { seconds: number }).seconds / 3600).toBeCloseTo(ref.hours, 6);
  }
  const resolve = await referenceMedianHours('coc', 'resolved_at', P);
  const row = report.times.find((r) => r.key === 'resolve.coc')!;
  expect((row.current as { seconds: number }).seconds / 3600).toBeCloseTo(resolve.hours, 6);
  // With a threshold above the number of cases, no median is shown, nor its change.
  const strict = reportSections(await transparencyReport(t.db, P, 50)).find((s) => s.id === 'times')!;
  for (const r of strict.rows)
    expect(r).toMatchObject({ current: 'not shown (fewer than 50 cases)', change: 'not shown' });
});

test('a resolution recorded by a reader’s move sets resolved_at; closing keeps it, reopening clears it', async () => {
  const coc = await submitReport(t.db, 'coc', 'A report to resolve.');
  const member = signedIn(
    (await t.db.selectFrom('members').selectAll().where('id', '=', approver.id).executeTakeFirstOrThrow()) as never,
  );
  const resolvedAt = async () =>
    (await t.db.selectFrom('cases').select('resolved_at').where('id', '=', coc.id).executeTakeFirstOrThrow())
      .resolved_at;
  for (const to of ['acknowledged', 'investigating']) await moveCase(t.db, member, coc.reference, to);
  expect(await resolvedAt()).toBeNull();
  const before = Date.now();
  await moveCase(t.db, member, coc.reference, 'resolved', { resolution: 'warning' });
  const resolved = (await resolvedAt())!;
  expect(resolved.getTime()).toBeGreaterThanOrEqual(before);
  expect(resolved.getTime()).toBeLessThanOrEqual(Date.now());
  await moveCase(t.db, member, coc.reference, 'closed');
  expect(await resolvedAt()).toEqual(resolved);
  await reopenCase(t.db, member, coc.reference, { text: 'New facts came in.' }, silentCaseEvents);
  expect(await resolvedAt()).toBeNull();
});

test('the page: completed periods only (and says so), the tables, and a well-formed, titled SVG chart', async () => {
  const page = await approver.client.get('/dashboard/transparency');
  expect(page.status).toBe(200);
  expect(page.html).toContain('Only completed periods are shown.');
  expect(page.html).toContain(`data-report="${P.id}"`);
  // The running period is not offered.
  expect(page.html).not.toMatch(new RegExp(`<option value="${P.end.toISOString().slice(0, 7)}"`));
  expect(page.html).toMatch(
    /<tr data-row="reports.security.email"><th scope="row">[^<]+<\/th><td data-current>fewer than 3<\/td>/,
  );
  const svg = /<svg[\s\S]*?<\/svg>/.exec(page.html)![0];
  expect(XMLValidator.validate(svg)).toBe(true);
  const parsed = new XMLParser({ ignoreAttributes: false }).parse(svg) as { svg: Record<string, unknown> };
  expect(parsed.svg['@_role']).toBe('img');
  expect(String(parsed.svg.title && (parsed.svg.title as { '#text'?: string })['#text'])).toContain(P.label);
  // A small count has no bar length: its bar is drawn empty.
  expect(svg).toMatch(/data-chart-row="reports.security.email"><text[^>]*>[^<]*<\/text><rect[^>]*width="0"/);
  expect(page.html).toContain('data-nav-transparency');
});

test('the CSV: a download in UTF-8 with a header line, that a CSV parser reads back to the same figures', async () => {
  const before = await auditCount('transparency.exported');
  const response = await approver.client.get(`/dashboard/transparency/report.csv?period=${P.id}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(response.headers.get('content-disposition')).toMatch(
    new RegExp(`^attachment; filename="?transparency-report-${P.id}\\.csv"?$`),
  );
  const records = parse(response.html, { bom: true }) as string[][];
  expect(records[0]).toEqual(CSV_HEADER);
  const rows = await wordsOf();
  const byItem = new Map(records.slice(1).map((r) => [r[1], r]));
  for (const row of rows.values()) {
    expect(byItem.get(row.label)).toEqual([
      expect.any(String),
      row.label,
      P.label,
      row.current,
      Q.label,
      row.previous,
      row.change,
    ]);
  }
  expect(byItem.get(rows.get('reports.security.email')!.label)![3]).toBe('fewer than 3');
  expect(await auditCount('transparency.exported')).toBe(before + 1);
});

test('the Markdown: a table per section, the same words, small counts hidden', async () => {
  const response = await approver.client.get(`/dashboard/transparency/report.md?period=${P.id}`);
  expect(response.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
  expect(response.headers.get('content-disposition')).toMatch(
    new RegExp(`^attachment; filename="?transparency-report-${P.id}\\.md"?$`),
  );
  const md = response.html;
  expect(md.startsWith(`# Transparency report: ${P.label}\n`)).toBe(true);
  expect(md.match(/^\| Item \| .+ \| .+ \| Change \|$/gm)).toHaveLength(3);
  expect(md.match(/^\| --- \| ---: \| ---: \| ---: \|$/gm)).toHaveLength(3);
  const rows = await wordsOf();
  const email = rows.get('reports.security.email')!;
  expect(md).toContain(`| ${email.label} | fewer than 3 | 4 | not shown |`);
  expect(md).toContain(`| **${rows.get('reports.all')!.label}** | not shown |`);
  for (const line of md
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Item') && !l.startsWith('| ---')))
    expect(line.split(' | ')).toHaveLength(4);
});

test('the threshold is the charter’s: at 5, a count of 4 is "fewer than 5"', async () => {
  await writeCharterValue(t.db, {
    key: 'transparency.small-count',
    value: 5,
    changedBy: 'operator',
    proposalId: null,
    at: new Date(),
  });
  try {
    const page = await approver.client.get(`/dashboard/transparency?period=${P.id}`);
    expect(page.html).toMatch(/data-row="reports.coc.web"><th scope="row">[^<]+<\/th><td data-current>fewer than 5</);
    const csv = (await approver.client.get(`/dashboard/transparency/report.csv?period=${P.id}`)).html;
    expect(csv).not.toMatch(/,(1|2|3|4),/);
  } finally {
    await t.db.deleteFrom('charter_settings').where('key', '=', 'transparency.small-count').execute();
  }
});

test('a bad period is a 400 with a clear message, on the page and the downloads', async () => {
  const running = P.end.toISOString().slice(0, 7);
  const cases: [string, RegExp][] = [
    ['junk', /written like 2026-01/],
    [`${P.start.getUTCFullYear()}-02`, /6 months long from January: .* does not begin one/],
    [running, /has not ended yet: only completed periods are reported/],
    ['1999-01', /written like 2026-01/],
  ];
  for (const [period, message] of cases) {
    const page = await approver.client.get(`/dashboard/transparency?period=${encodeURIComponent(period)}`);
    expect(page.status).toBe(400);
    expect(page.html).toMatch(message);
    expect(page.html).not.toContain('data-report=');
    const csv = await approver.client.get(`/dashboard/transparency/report.csv?period=${encodeURIComponent(period)}`);
    expect(csv.status).toBe(400);
    expect(csv.html).toMatch(message);
  }
});

test('anyone but an approver gets the same 404 as a missing page, and no link to it', async () => {
  const missing = await srt.client.get('/dashboard/no-such-page');
  expect(missing.status).toBe(404);
  for (const path of [
    '/dashboard/transparency',
    `/dashboard/transparency/report.csv?period=${P.id}`,
    `/dashboard/transparency/report.md`,
  ]) {
    const page = await srt.client.get(path);
    expect(page.status).toBe(404);
    expect(page.html).toBe(missing.html);
  }
  const missingApi = await srt.client.get('/api/dashboard/no-such-thing');
  for (const path of ['/api/dashboard/transparency/recipients', `/api/dashboard/transparency/notes/${P.id}`]) {
    const answer = await srt.client.get(path);
    expect(answer.status).toBe(404);
    expect(answer.html).toBe(missingApi.html);
  }
  expect((await srt.client.get('/dashboard')).html).not.toContain('/dashboard/transparency');
});

async function auditCount(action: string): Promise<number> {
  const row = await t.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('the per-incident note over the API', () => {
  const post = async (member: EnrolledMember, period: string, body: unknown) => {
    const page = await member.client.get('/dashboard/transparency');
    const csrf = /data-transparency-note[^>]*data-csrf="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const response = await fetch(`${server.url}/api/dashboard/transparency/notes/${period}`, {
      method: 'POST',
      headers: { cookie: member.client.jar.header(), 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const approverKeys = [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey];

  test('refused unless encrypted to every current approver and nobody else; nothing stored', async () => {
    const onlyAlice = await post(approver, P.id, { message: await encryptArmored('x', [approverKeys[0]!]) });
    expect(onlyAlice.status).toBe(400);
    expect(String(onlyAlice.body.error)).toMatch(/not encrypted to every/);
    const withErin = await post(approver, P.id, {
      message: await encryptArmored('x', [...approverKeys, fixtureKey('erin').publicKey]),
    });
    expect(withErin.status).toBe(400);
    expect((await post(approver, P.id, { message: 'plain text' })).status).toBe(400);
    expect((await post(approver, P.id, { message: 'a\u0000b' })).status).toBe(400);
    const running = P.end.toISOString().slice(0, 7);
    const early = await post(approver, running, { message: await encryptArmored('x', approverKeys) });
    expect(early).toMatchObject({ status: 400, body: { error: expect.stringMatching(/has not ended yet/) } });
    expect(await t.db.selectFrom('transparency_notes').selectAll().execute()).toEqual([]);
  });

  test('saved as ciphertext, one key packet per approver, and handed to each approver with their own packet', async () => {
    const saved = await post(approver, P.id, {
      message: await encryptArmored('Quokka-4471 was warned.', approverKeys),
    });
    expect(saved.status).toBe(201);
    const row = await t.db.selectFrom('transparency_notes').selectAll().executeTakeFirstOrThrow();
    expect(row.body.includes(Buffer.from('Quokka'))).toBe(false);
    expect(row.session_keys).toHaveLength(2);
    const got = await fetch(`${server.url}/api/dashboard/transparency/notes/${P.id}`, {
      headers: { cookie: approver.client.jar.header() },
    });
    const note = (await got.json()) as { state: string; packet: string };
    expect(note.state).toBe('ready');
    expect(row.session_keys.map((k) => k.packet)).toContain(note.packet);
  });
});
