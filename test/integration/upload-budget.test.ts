// The budget of bytes in flight: uploads that hold it are raw sockets that declare a body and send
// only its first bytes, so the budget stays taken while the test asks for more.
import { createTestDatabase, countCaseRows, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';
import { openReportForm } from '../helpers/form-client';
import { buildEncryptedPayload } from '../helpers/encrypted-payload';
import { sendPartly, startPartly, type HeldUpload } from '../helpers/partial-http';

const MB = 1024 * 1024;
// Largest submission with 2 × 64 KB attachments: the form's 8.25 MB (text fields included).
const LIMITS = {
  MAX_ATTACHMENT_BYTES: String(64 * 1024),
  MAX_ATTACHMENTS: '2',
  SUBMISSION_RATE_LIMIT: '1000',
  TRUST_PROXY: 'loopback',
};

let tdb: TestDatabase;
let carolKey: string;
const held: HeldUpload[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'carol', 'approver');
  carolKey = fixtureKey('carol').publicKey;
});
afterAll(async () => {
  for (const upload of held) upload.abort();
  await tdb.destroy();
});

/** An API upload from `client` that declares `bytes` and never finishes; sent again if the server refused it. */
interface Holding {
  client: string;
  bytes: number;
  upload: HeldUpload;
  answered: boolean;
}

function holdApiUpload(server: TestServer, client: string, bytes: number): Holding {
  const upload = startPartly(server.url, {
    path: '/api/reports',
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(bytes), 'X-Forwarded-For': client },
    part: '{"kind":"coc","report":"',
    waitMs: 600_000,
  });
  held.push(upload);
  const holding: Holding = { client, bytes, upload, answered: false };
  upload.answer.then(
    () => (holding.answered = true),
    () => (holding.answered = true),
  );
  return holding;
}

async function postReport(
  server: TestServer,
  client: string,
  text: string,
): Promise<{ status: number; retryAfter: string | null; json: Record<string, unknown> }> {
  const { body } = await buildEncryptedPayload({ kind: 'coc', recipientKeys: [carolKey], text });
  const response = await fetch(`${server.url}/api/reports`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** Whether the server has taken `bytes` into its budget: held uploads are counted once the server has seen their heads. */
async function untilRefused(server: TestServer, client: string, bytes: number, holdings: Holding[]): Promise<void> {
  // Under a loaded machine the heads of the held uploads take a while to be read (and their limits counted),
  // and one read after a probe finds the probe's bytes still taken and is refused: it is sent again.
  for (const until = Date.now() + 90_000; Date.now() < until;) {
    for (const [i, h] of holdings.entries()) if (h.answered) holdings[i] = holdApiUpload(server, h.client, h.bytes);
    const probe = await sendPartly(server.url, {
      path: '/api/reports',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(bytes), 'X-Forwarded-For': client },
      part: '',
      waitMs: 200,
    }).catch(() => null);
    if (probe?.status === 503) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the held uploads never filled the budget');
}

describe('the whole budget', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(tdb.db, {
      ...LIMITS,
      UPLOAD_BUDGET_BYTES: String(12 * MB),
      UPLOAD_CLIENT_BYTES: String(8.5 * MB),
    });
    // Three clients take all but 64 KB of it (an API body is at most 5.8 MB here).
    const holdings = [
      holdApiUpload(server, '10.0.0.1', 5 * MB),
      holdApiUpload(server, '10.0.0.2', 5 * MB),
      holdApiUpload(server, '10.0.0.3', 2 * MB - 64 * 1024),
    ];
    await untilRefused(server, '10.0.0.9', 100 * 1024, holdings);
  }, 120_000);
  afterAll(() => server.close());

  test('a post whose Content-Length does not fit is refused at once with 503, Retry-After and a JSON error', async () => {
    const answer = await sendPartly(server.url, {
      path: '/api/reports',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(MB), 'X-Forwarded-For': '10.0.0.7' },
      part: '{"kind":"coc",',
    });
    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(answer.body).error).toContain('send it again');
  });

  test('a submission that fits what is left is accepted', async () => {
    const before = await countCaseRows(tdb.db);
    const answer = await postReport(server, '10.0.0.4', 'a small report while the server is busy');
    expect(answer.status).toBe(201);
    expect(await countCaseRows(tdb.db)).not.toEqual(before);
  });

  test('a chunked body is counted as it streams, and refused when it outgrows the budget', async () => {
    const chunk = Buffer.alloc(200 * 1024, 0x61);
    const answer = await sendPartly(server.url, {
      path: '/api/reports',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'X-Forwarded-For': '10.0.0.5' },
      part: Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).not.toBeNull();
  });

  test('the no-JavaScript form comes back with the text kept, the files named as not taken, and 503', async () => {
    const session = await openReportForm(server.url, 'coc');
    const before = await countCaseRows(tdb.db);
    const form = new FormData();
    for (const [name, value] of Object.entries({
      kind: 'coc',
      _csrf: session.csrf,
      body: 'Kept while the server was busy & full',
      when: 'Monday',
    }))
      form.append(name, value);
    for (const name of ['one.png', 'two.png']) form.append('attachments', new Blob([Buffer.alloc(40 * 1024, 1)]), name);
    const response = await fetch(`${server.url}/report?kind=coc`, {
      method: 'POST',
      body: form,
      headers: { cookie: session.cookie, 'X-Forwarded-For': '10.0.0.6' },
    });
    const html = await response.text();
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(html).toContain('your attachments were not taken and nothing was sent');
    expect(html).toContain('Kept while the server was busy &amp; full</textarea>');
    expect(html).toContain('value="Monday"');
    expect(await countCaseRows(tdb.db)).toEqual(before);
  });
});

describe('the cap per client', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(tdb.db, {
      ...LIMITS,
      UPLOAD_BUDGET_BYTES: String(40 * MB),
      UPLOAD_CLIENT_BYTES: String(8.5 * MB),
    });
    await untilRefused(server, '10.0.1.1', 4 * MB, [holdApiUpload(server, '10.0.1.1', 5 * MB)]);
  }, 120_000);
  afterAll(() => server.close());

  test('one client cannot take more than its cap, while another client is still served', async () => {
    const mine = await sendPartly(server.url, {
      path: '/api/reports',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(4 * MB), 'X-Forwarded-For': '10.0.1.1' },
      part: '{',
    });
    expect(mine.status).toBe(503);
    // Another client's 4 MB is read (and then refused for what it holds, not for room).
    const padding = 'x'.repeat(4 * MB - 100);
    const theirs = await fetch(`${server.url}/api/reports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '10.0.1.2' },
      body: JSON.stringify({ kind: 'gossip', padding }),
    });
    expect(theirs.status).toBe(400);
    expect(((await theirs.json()) as { error: string }).error).toContain('"kind"');
    // The client at its cap may still send a small report.
    expect((await postReport(server, '10.0.1.1', 'small enough')).status).toBe(201);
  });
});
