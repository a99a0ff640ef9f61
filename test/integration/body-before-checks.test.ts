// Anonymous posts that are over a limit, forged, rate-limited or unauthenticated are answered before
// their body is read: each request below declares a large body and sends only its first bytes, so
// an answer can only come from a server that did not wait for the rest.
import { createTestDatabase, countCaseRows, forgetRateLimits, type TestDatabase } from '../helpers/db';
import { addFixtureMember } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';
import { openReportForm, type FormSession } from '../helpers/form-client';
import { sendPartly } from '../helpers/partial-http';
import { enrolMember, startAuthServer, type AuthTestServer } from '../helpers/member-auth';

let tdb: TestDatabase;
let server: TestServer;
let limited: TestServer;
let auth: AuthTestServer;

const MB = 1024 * 1024;
const BOUNDARY = 'XbodyXbeforeXchecksX';
// What a browser sends first of a form: the kind, the token, the start of the text, then a large file.
const formStart = (session: Pick<FormSession, 'csrf' | 'submission'>) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncoc\r\n` +
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${session.csrf}\r\n` +
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="submission"\r\n\r\n${session.submission}\r\n` +
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="body"\r\n\r\nA report whose file never arrives\r\n` +
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(4096)}`;
const formHeaders = (session: FormSession | null, length: number, extra: Record<string, string> = {}) => ({
  'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
  'Content-Length': String(length),
  ...(session ? { Cookie: session.cookie } : {}),
  ...extra,
});

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'carol', 'approver');
  server = await startTestServer(tdb.db, {
    SUBMISSION_RATE_LIMIT: '1000',
    MAX_ATTACHMENT_BYTES: String(2 * MB),
    MAX_ATTACHMENTS: '2',
  });
  limited = await startTestServer(tdb.db, { SUBMISSION_RATE_LIMIT: '1' });
  auth = await startAuthServer(tdb.db);
});
afterAll(async () => {
  await Promise.all([server.close(), limited.close(), auth.close()]);
  await tdb.destroy();
});

test('a form over the size limit is refused at once by its Content-Length, with the form and an honest message', async () => {
  const session = await openReportForm(server.url, 'coc');
  const before = await countCaseRows(tdb.db);
  // 2 files of 2 MB and the text fields fit in 12.2 MB; 77 MB do not.
  const answer = await sendPartly(server.url, {
    path: '/report?kind=coc',
    headers: formHeaders(session, 77 * MB),
    part: formStart(session),
  });
  expect(answer.status).toBe(413);
  expect(answer.body).toContain('larger than');
  expect(answer.body).toContain('at most 2 files of 2 MB each');
  expect(answer.body).toContain('was not read, so your text cannot be shown here');
  expect(answer.body).toContain('name="_csrf"'); // the form again, ready to send
  expect(answer.body).not.toContain('A report whose file never arrives');
  expect(await countCaseRows(tdb.db)).toEqual(before);
});

test("a post without the form's CSRF cookie is refused before its body is read", async () => {
  const session = await openReportForm(server.url, 'coc');
  const answer = await sendPartly(server.url, {
    path: '/report?kind=coc',
    headers: formHeaders(null, 5 * MB),
    part: formStart(session),
  });
  expect(answer.status).toBe(403);
  expect(answer.body).toContain('This form expired, or was not sent from this site');
  expect(answer.body).toContain('was not read');
});

test('a post the browser marks as cross-site is refused before its body is read, even with the cookie', async () => {
  const session = await openReportForm(server.url, 'coc');
  for (const extra of [{ 'Sec-Fetch-Site': 'cross-site' }, { Origin: 'https://attacker.example' }] as Record<
    string,
    string
  >[]) {
    const answer = await sendPartly(server.url, {
      path: '/report?kind=coc',
      headers: formHeaders(session, 5 * MB, extra),
      part: formStart(session),
    });
    expect(answer.status).toBe(403);
  }
});

test('a forged cookie is no cookie', async () => {
  const session = await openReportForm(server.url, 'coc');
  // The CSRF cookie's first hex digit changed (the form's browser cookie beside it stays as it was).
  const forged = {
    cookie: session.cookie.replace(
      /(intake\.csrf=)([0-9a-f])/,
      (_m, name: string, c: string) => `${name}${c === '0' ? '1' : '0'}`,
    ),
  };
  const answer = await sendPartly(server.url, {
    path: '/report?kind=coc',
    headers: formHeaders(forged as FormSession, 5 * MB),
    part: formStart(session),
  });
  expect(answer.status).toBe(403);
});

test('a same-origin post with a null Origin (our no-referrer policy) is read as before', async () => {
  const session = await openReportForm(server.url, 'coc');
  const body = `${formStart(session)}\r\n--${BOUNDARY}--\r\n`;
  const answer = await sendPartly(server.url, {
    path: '/report?kind=coc',
    headers: formHeaders(session, Buffer.byteLength(body), { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' }),
    part: body,
  });
  expect(answer.status).toBe(303); // stored; the confirmation is one redirect away
});

test('a rate-limited client is refused before its body is read', async () => {
  await forgetRateLimits(tdb.db);
  const session = await openReportForm(limited.url, 'coc');
  const whole = `${formStart(session)}\r\n--${BOUNDARY}--\r\n`;
  const first = await sendPartly(limited.url, {
    path: '/report?kind=coc',
    headers: formHeaders(session, Buffer.byteLength(whole)),
    part: whole,
  });
  expect(first.status).toBe(303);
  const answer = await sendPartly(limited.url, {
    path: '/report?kind=coc',
    headers: formHeaders(session, 5 * MB),
    part: formStart(session),
  });
  expect(answer.status).toBe(429);
  expect(answer.body).toContain('Too many submissions');
  expect(answer.body).toContain('was not read');
});

test('the JSON API refuses a body over its limit before reading it', async () => {
  const answer = await sendPartly(server.url, {
    path: '/api/reports',
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(200 * MB) },
    part: '{"kind":"security","report":"',
  });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body).error).toContain('larger than');
});

test('an anonymous dashboard write is told 401 before its 39 MB body is read', async () => {
  const answer = await sendPartly(auth.url, {
    path: '/api/dashboard/cases/SEC-2026-0001/messages',
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(39 * MB) },
    part: '{"role":"comment","message":"',
  });
  expect(answer.status).toBe(401);
});

test("a signed-in member's write without the CSRF header is refused before its body is read", async () => {
  const member = await enrolMember(tdb.db, auth, 'alice', 'srt');
  const answer = await sendPartly(auth.url, {
    path: '/api/dashboard/key',
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': String(39 * MB),
      Cookie: member.client.jar.header(),
    },
    part: '{"publicKey":"',
  });
  expect(answer.status).toBe(403);
  expect(JSON.parse(answer.body).error).toContain('CSRF');
});
