// /healthz tells the load balancer whether PostgreSQL answers, and nothing more; a failed request's
// log line names its route pattern, never the path (a receipt lookup is a bearer secret), the query,
// a cookie or the body.
import { createKysely } from '../../db/connect';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startDatabaseProxy } from '../helpers/db-proxy';
import { startTestServer, type TestServer } from '../helpers/server';

let database: TestDatabase;
let proxy: Awaited<ReturnType<typeof startDatabaseProxy>>;
let server: TestServer;
let appDb: ReturnType<typeof createKysely>;

beforeAll(async () => {
  database = await createTestDatabase();
  proxy = await startDatabaseProxy(new URL(database.url));
  appDb = createKysely(proxy.url, 4);
  server = await startTestServer(appDb);
});
afterAll(async () => {
  await server.close();
  await appDb.destroy();
  await proxy.close();
  await database.destroy();
});
afterEach(() => proxy.plug());

const health = async () => {
  const response = await fetch(`${server.url}/healthz`);
  return { status: response.status, body: await response.text(), cache: response.headers.get('cache-control') };
};

describe('/healthz', () => {
  test('says ok while PostgreSQL answers', async () => {
    expect(await health()).toEqual({ status: 200, body: 'ok', cache: 'no-store' });
  });

  test('answers 503 "database unavailable" while PostgreSQL refuses connections, and ok again after', async () => {
    proxy.unplug();
    expect(await health()).toEqual({ status: 503, body: 'database unavailable', cache: 'no-store' });
    proxy.plug();
    expect(await health()).toEqual({ status: 200, body: 'ok', cache: 'no-store' });
  });

  test('answers 503 while PostgreSQL hangs, instead of hanging with it; many checks at once share one ping', async () => {
    proxy.stall();
    const answers = await Promise.all(Array.from({ length: 20 }, health));
    expect(answers.every((a) => a.status === 503 && a.body === 'database unavailable')).toBe(true);
    proxy.plug();
    let after = await health();
    // The ping that hung is released by the plug; the next one reaches the database.
    if (after.status !== 200) after = await health();
    expect(after).toEqual({ status: 200, body: 'ok', cache: 'no-store' });
  });
});

test('a 5xx on /api/followup/:lookup logs the route pattern, never the lookup, the query or the cookie', async () => {
  const lookup = 'ab'.repeat(32);
  proxy.unplug();
  const response = await fetch(`${server.url}/api/followup/${lookup}?q=QUERY-CANARY`, {
    headers: { cookie: 'intake.session=COOKIE-CANARY' },
  });
  // The receipt-guess limit is counted first, in the database: it refuses (503), and logs the failure.
  expect(response.status).toBe(503);
  const lines = server.logLines.filter((line) => line.includes('request failed'));
  expect(lines.length).toBeGreaterThan(0);
  const log = server.logLines.join('\n');
  expect(log).toContain('"route":"/api/followup/:lookup"');
  expect(log).not.toContain(lookup);
  expect(log).not.toMatch(/QUERY-CANARY|COOKIE-CANARY|"path"/);
});
