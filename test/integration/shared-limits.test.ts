// Rate limits count in PostgreSQL: two app instances on one database share every limit, no address
// is stored, ended windows are dropped, and a database out of reach refuses (503), never lets through.
import { createKysely } from '../../db/connect';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { startDatabaseProxy } from '../helpers/db-proxy';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';
import { buildEncryptedPayload, postJson } from '../helpers/encrypted-payload';
import { openReportForm, postReportForm } from '../helpers/form-client';
import { sql } from 'kysely';
import { dropEndedLimitWindows, LimitsUnavailableError, sharedLimits } from '../../server/limits/shared-limits';

let tdb: TestDatabase;
let secondPool: ReturnType<typeof createKysely>;
let first: TestServer;
let second: TestServer;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'carol', 'approver');
  // Two instances: each its own app, its own pool, one database.
  secondPool = createKysely(tdb.url, 4);
  first = await startTestServer(tdb.db, { SUBMISSION_RATE_LIMIT: '3' });
  second = await startTestServer(secondPool, { SUBMISSION_RATE_LIMIT: '3' });
});
afterAll(async () => {
  await first.close();
  await second.close();
  await secondPool.destroy();
  await tdb.destroy();
});

const submit = async (server: TestServer, text: string) => {
  const { body } = await buildEncryptedPayload({ kind: 'coc', recipientKeys: [fixtureKey('carol').publicKey], text });
  return postJson(`${server.url}/api/reports`, body);
};

test('the submission limit holds over both instances together, and no address is stored', async () => {
  expect((await submit(first, 'one')).status).toBe(201);
  expect((await submit(second, 'two')).status).toBe(201);
  expect((await submit(first, 'three')).status).toBe(201);
  const before = await countCaseRows(tdb.db);
  for (const server of [second, first]) {
    const limited = await submit(server, 'over the limit');
    expect(limited.status).toBe(429);
    expect(String(limited.json.error)).toContain('Too many submissions');
  }
  expect(await countCaseRows(tdb.db)).toEqual(before);

  const rows = await tdb.db.selectFrom('rate_limit_counts').selectAll().execute();
  const submissions = rows.filter((r) => r.limiter === 'submissions');
  expect(submissions).toHaveLength(1);
  expect(submissions[0]!.hits).toBe(5);
  for (const row of rows) {
    expect(row.client_hash).toHaveLength(32);
    expect(row.client_hash.toString('latin1')).not.toContain('127.0.0.1');
  }
});

test('the read limit is shared too: its count goes on from one instance to the other', async () => {
  const a = await fetch(`${first.url}/api/approvers`);
  const b = await fetch(`${second.url}/api/approvers`);
  expect(a.status).toBe(200);
  expect(Number(a.headers.get('ratelimit')?.match(/remaining=(\d+)/)?.[1])).toBe(299);
  expect(Number(b.headers.get('ratelimit')?.match(/remaining=(\d+)/)?.[1])).toBe(298);
});

test('a window that ended starts again, and the background task drops ended windows', async () => {
  const limits = sharedLimits(tdb.db);
  expect((await limits.hit('test-window', 'client', 50)).hits).toBe(1);
  expect((await limits.hit('test-window', 'client', 50)).hits).toBe(2);
  await limits.unhit('test-window', 'client');
  expect((await limits.current('test-window', 'client'))?.hits).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 120));
  expect(await limits.current('test-window', 'client')).toBeUndefined();
  expect(await dropEndedLimitWindows(tdb.db)).toBeGreaterThanOrEqual(1);
  expect(
    await tdb.db.selectFrom('rate_limit_counts').where('limiter', '=', 'test-window').selectAll().execute(),
  ).toEqual([]);
  expect((await limits.hit('test-window', 'client', 60_000)).hits).toBe(1);
});

describe('with the database out of reach', () => {
  let proxy: Awaited<ReturnType<typeof startDatabaseProxy>>;
  let pool: ReturnType<typeof createKysely>;
  let server: TestServer;
  beforeAll(async () => {
    proxy = await startDatabaseProxy(new URL(tdb.url));
    pool = createKysely(proxy.url, 4);
    server = await startTestServer(pool, { SUBMISSION_RATE_LIMIT: '100' });
  });
  afterAll(async () => {
    proxy.plug();
    await server.close();
    await pool.destroy();
    await proxy.close();
  });

  test('the limiters refuse with 503 and Retry-After (fail closed), and work again once it is back', async () => {
    const { body } = await buildEncryptedPayload({
      kind: 'coc',
      recipientKeys: [fixtureKey('carol').publicKey],
      text: 'sent while the database is away',
    });
    const before = await countCaseRows(tdb.db);
    proxy.unplug();
    const refused = await fetch(`${server.url}/api/reports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(((await refused.json()) as { error: string }).error).toContain('cannot reach its database');
    const guess = await fetch(`${server.url}/api/followup/${'ab'.repeat(32)}`);
    expect(guess.status).toBe(503);
    const read = await fetch(`${server.url}/api/approvers`);
    expect(read.status).toBe(503);
    await expect(sharedLimits(pool).hit('test', 'client', 1000)).rejects.toBeInstanceOf(LimitsUnavailableError);
    expect(server.logLines.join('\n')).not.toContain('sent while the database');

    proxy.plug();
    expect(await countCaseRows(tdb.db)).toEqual(before);
    expect((await postJson(`${server.url}/api/reports`, body)).status).toBe(201);
  });
});

test('counts that cannot be written refuse the report even while the rest of the database works', async () => {
  const before = await countCaseRows(tdb.db);
  const session = await openReportForm(second.url, 'coc');
  await sql`ALTER TABLE rate_limit_counts RENAME TO rate_limit_counts_away`.execute(tdb.db);
  try {
    const form = await postReportForm(second.url, session, {
      kind: 'coc',
      _csrf: session.csrf,
      body: 'Typed while the counts are away',
    });
    // Fail closed, and the no-JavaScript reporter keeps the text.
    expect(form.status).toBe(503);
    expect(form.html).toContain('could not be stored just now');
    expect(form.html).toContain('Typed while the counts are away</textarea>');
    const api = await submit(first, 'uncounted');
    expect(api.status).toBe(503);
    expect(String(api.json.error)).toContain('cannot reach its database');
  } finally {
    await sql`ALTER TABLE rate_limit_counts_away RENAME TO rate_limit_counts`.execute(tdb.db);
  }
  expect(await countCaseRows(tdb.db)).toEqual(before);
  expect(first.logLines.join('\n') + second.logLines.join('\n')).not.toContain('Typed while the counts');
});
