// A bounded, reproducible fuzz of every public HTTP route, on loopback, against the real server in a
// child process (`npm start`'s entry point). It counts what must stay zero: 5xx answers, connections
// closed without an answer, stack traces or source paths in answers, process exits, and rows left
// in the database by requests that failed. FUZZ_SEED replays a run; FUZZ_CASES sets its size.
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startAppProcess, type AppProcess } from '../helpers/app-process';
import { buildEncryptedPayload } from '../helpers/encrypted-payload';
import { openReportForm } from '../helpers/form-client';
import { fuzzCases, type FuzzCase } from '../helpers/fuzz-requests';
import { sendRaw, showsInternals } from '../helpers/hostile-input';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { submitReport } from '../helpers/dashboard';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.FUZZ_CASES ?? 1200);
const CONCURRENCY = 4;

// Failed sign-ins are counted per account by design (the lock-out); the rows hold a hash and a count.
// A refused request still counts against its client (rate_limit_counts holds a keyed hash and a number).
const TABLES_FAILED_REQUESTS_MAY_WRITE = new Set(['sign_in_throttle', 'rate_limit_counts']);
// What one stored case writes besides its own row.
const TABLES_A_CASE_WRITES = new Set([
  'cases',
  'case_readers',
  'case_reads',
  'case_reader_counts',
  'messages',
  'session_keys',
  'audit_log',
  'submission_tokens',
]);

let tdb: TestDatabase;
let app: AppProcess;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'alice', 'srt');
  await addFixtureMember(tdb.db, 'bob', 'srt');
  await addFixtureMember(tdb.db, 'carol', 'approver');
  await addFixtureMember(tdb.db, 'dave', 'approver');
  app = await startAppProcess(tdb.url, {
    TRUST_PROXY: 'loopback',
    SUBMISSION_RATE_LIMIT: '100000',
    SIGNIN_CLIENT_LIMIT: '10000',
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await tdb?.destroy();
});

async function rowCounts(): Promise<Map<string, number>> {
  const tables = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(
    tdb.db,
  );
  const counts = new Map<string, number>();
  for (const { name } of tables.rows) {
    const row = await sql<{ n: string }>`select count(*) as n from ${sql.table(name)}`.execute(tdb.db);
    counts.set(name, Number(row.rows[0]!.n));
  }
  return counts;
}

interface Finding {
  route: string;
  request: string;
  problem: string;
}

test(`${CASES} generated hostile requests (seed ${SEED}): no 5xx, no crash, no stack trace, no rows left by failures`, async () => {
  const session = await openReportForm(app.url, 'security');
  const { body: encryptedReport } = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey],
    text: 'fuzz',
  });
  const { reference } = await submitReport(tdb.db, 'security', 'A case for the paths.');
  const cases = fuzzCases(SEED, CASES, {
    csrf: { cookie: session.cookie, token: session.csrf },
    encryptedReport,
    reference,
  });
  const before = await rowCounts();

  const findings: Finding[] = [];
  const statuses = new Map<number, number>();
  let stored = 0;
  let next = 0;
  const worker = async () => {
    while (next < cases.length && app.exit() === null) {
      const fuzz = cases[next++]!;
      const answer = await sendRaw(app.url, fuzz).catch((error: Error) => ({ status: -1, text: error.message }));
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const problem =
        answer.status >= 500
          ? `answered ${answer.status}`
          : answer.status <= 0
            ? `no answer (${answer.text.slice(0, 80)})`
            : showsInternals(answer.text)
              ? 'shows internals'
              : null;
      if (problem) findings.push({ route: fuzz.route, request: describe(fuzz), problem });
      if (fuzz.method === 'POST' && ['/report', '/api/reports'].includes(fuzz.route) && answer.status === 201)
        stored += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  expect(app.exit()).toBeNull();
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  expect(findings.slice(0, 20)).toEqual([]);

  const after = await rowCounts();
  const changed = [...after].filter(
    ([table, n]) => n !== before.get(table) && !TABLES_FAILED_REQUESTS_MAY_WRITE.has(table),
  );
  const unexplained = changed.filter(([table]) => !(stored > 0 && TABLES_A_CASE_WRITES.has(table)));
  expect(unexplained).toEqual([]);
  expect((after.get('cases') ?? 0) - (before.get('cases') ?? 0)).toBe(stored);
  // One audit row per stored case ("case.created"); a refused request writes none.
  expect((after.get('audit_log') ?? 0) - (before.get('audit_log') ?? 0)).toBe(stored);
  expect(app.logLines.filter((line) => /"level":"error"/.test(line))).toEqual([]);
  // Every line is our logger's JSON: a library's own warning could quote a request.
  expect(app.logLines.filter((line) => line !== '' && !line.startsWith('{"time":'))).toEqual([]);
  process.stdout.write(
    `fuzz seed ${SEED}: ${CASES} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${stored} reports stored\n`,
  );
}, 240_000);

function describe(fuzz: FuzzCase): string {
  const type = fuzz.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return `${fuzz.method} ${fuzz.target.slice(0, 100)} [${type}] ${fuzz.body?.subarray(0, 100).toString('latin1') ?? ''}`;
}
