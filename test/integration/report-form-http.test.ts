// The no-JavaScript form over real HTTP: CSRF, rate limits, size limits, headers, friendly errors.
import { createTestDatabase, countCaseRows, type TestDatabase } from '../helpers/db';
import { addFixtureMember } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';
import { confirmationOf, followToConfirmation, openReportForm, postReportForm } from '../helpers/form-client';
import { newReferenceShape } from '../helpers/stored-case';

let tdb: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'carol', 'approver');
  await addFixtureMember(tdb.db, 'dave', 'approver');
  server = await startTestServer(tdb.db, { SUBMISSION_RATE_LIMIT: '1000', MAX_ATTACHMENT_BYTES: '4096' });
});
afterAll(async () => {
  await server.close();
  await tdb.destroy();
});

test('the form page is served with a strict CSP, no inline script and no third-party origin', async () => {
  const response = await fetch(`${server.url}/report?kind=security`);
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toMatch(/script-src 'self'( |;)/);
  expect(csp).not.toContain('unsafe-inline');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const html = await response.text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
});

test('a form posted without its CSRF cookie is not read, and says so with a fresh form', async () => {
  const before = await countCaseRows(tdb.db);
  const answer = await postReportForm(server.url, null, {
    kind: 'coc',
    body: 'Unread text & <b>markup</b>',
    contact: 'me@example.net',
  });
  expect(answer.status).toBe(403);
  expect(answer.html).toContain('This form expired');
  expect(answer.html).toContain('was not read, so your text cannot be shown here');
  expect(answer.html).not.toContain('Unread text');
  expect(answer.html).toContain('name="_csrf"');
  expect(await countCaseRows(tdb.db)).toEqual(before);
});

test('a form posted with its cookie but without its token is read, and comes back with the text kept', async () => {
  const session = await openReportForm(server.url, 'coc');
  const before = await countCaseRows(tdb.db);
  const answer = await postReportForm(server.url, session, {
    kind: 'coc',
    body: 'Kept text & <b>markup</b>',
    contact: 'me@example.net',
  });
  expect(answer.status).toBe(403);
  expect(answer.html).toContain('This form expired');
  expect(answer.html).toContain('Kept text &amp; &lt;b&gt;markup&lt;/b&gt;');
  expect(answer.html).toContain('value="me@example.net"');
  expect(await countCaseRows(tdb.db)).toEqual(before);
});

test('a token from one cookie does not validate with another', async () => {
  const first = await openReportForm(server.url, 'coc');
  const second = await openReportForm(server.url, 'coc');
  const answer = await postReportForm(server.url, second, { kind: 'coc', _csrf: first.csrf, body: 'x' });
  expect(answer.status).toBe(403);
});

test('an urlencoded submission (the stable field contract) is encrypted and confirmed once', async () => {
  const session = await openReportForm(server.url, 'coc');
  const response = await fetch(`${server.url}/report`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      kind: 'coc',
      _csrf: session.csrf,
      submission: session.submission,
      body: 'urlencoded report',
      contact: 'x@example.net',
    }),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  const { html } = await followToConfirmation(server.url, session.cookie, response);
  const confirmation = confirmationOf(html);
  expect(confirmation?.reference).toMatch(newReferenceShape('COC'));
  expect(confirmation?.receipt.split(' ')).toHaveLength(8);
  expect(html).not.toContain('urlencoded report');
  expect(response.headers.get('cache-control')).toBe('no-store');
});

test('an attachment over the limit is refused by name, nothing is stored, the text is kept', async () => {
  const before = await countCaseRows(tdb.db);
  const session = await openReportForm(server.url, 'coc');
  const answer = await postReportForm(
    server.url,
    session,
    { kind: 'coc', _csrf: session.csrf, body: 'My long account', when: 'Tuesday' },
    [{ name: 'huge.log', data: new Uint8Array(10_000) }],
  );
  expect(answer.status).toBe(413);
  expect(answer.html).toContain('The file &quot;huge.log&quot; is larger than');
  expect(answer.html).toContain('My long account</textarea>');
  expect(answer.html).toContain('value="Tuesday"');
  expect(await countCaseRows(tdb.db)).toEqual(before);
});

test('more files than MAX_ATTACHMENTS refuse the whole submission, name the limit and keep the text', async () => {
  const session = await openReportForm(server.url, 'security');
  const before = await countCaseRows(tdb.db);
  const files = Array.from({ length: 7 }, (_, i) => ({ name: `shot-${i + 1}.png`, data: new Uint8Array(100).fill(i) }));
  const answer = await postReportForm(
    server.url,
    session,
    { kind: 'security', _csrf: session.csrf, body: 'Seven screenshots of the bug', component: 'cni' },
    files,
  );
  expect(answer.status).toBe(413);
  expect(answer.html).toContain('At most 5 files can be attached, and 7 were, so nothing was sent.');
  expect(answer.html).toContain('Seven screenshots of the bug</textarea>');
  expect(answer.html).toContain('value="cni"');
  expect(await countCaseRows(tdb.db)).toEqual(before);

  const five = await postReportForm(
    server.url,
    session,
    { kind: 'security', _csrf: session.csrf, body: 'Five are fine' },
    files.slice(0, 5),
  );
  expect(five.status).toBe(303);
});

test('a missing required field is named and nothing is stored', async () => {
  const session = await openReportForm(server.url, 'security');
  const before = await countCaseRows(tdb.db);
  const answer = await postReportForm(server.url, session, {
    kind: 'security',
    _csrf: session.csrf,
    component: 'cni',
    body: '   ',
  });
  expect(answer.status).toBe(400);
  expect(answer.html).toContain('is required');
  expect(answer.html).toContain('value="cni"');
  expect(await countCaseRows(tdb.db)).toEqual(before);
});

test('an unknown kind or an unknown page gets a friendly page, never a stack trace', async () => {
  const kind = await fetch(`${server.url}/report?kind=gossip`);
  expect(kind.status).toBe(400);
  const kindHtml = await kind.text();
  expect(kindHtml).toContain('There is no kind of report called');
  const missing = await fetch(`${server.url}/no/such/page`);
  expect(missing.status).toBe(404);
  for (const html of [kindHtml, await missing.text()]) {
    expect(html).not.toMatch(/at [\w.]+ \(|node_modules|Error:/);
  }
});

test('a cut-off multipart body is refused cleanly', async () => {
  const session = await openReportForm(server.url, 'coc');
  const response = await fetch(`${server.url}/report?kind=coc`, {
    method: 'POST',
    headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ', cookie: session.cookie },
    body: '--XYZ\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncoc\r\n--XYZ\r\nContent-Disposition: form-data; name="body"\r\n\r\nunfinished',
  });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain('could not be read');
});

test('the CoC form lists every approver as a checkbox whose value is its id', async () => {
  const { html } = await openReportForm(server.url, 'coc');
  expect(html.match(/type="checkbox" id="inv-\d+" name="involved" value="[0-9a-f-]{36}"/g)).toHaveLength(2);
  expect(html).toContain('Carol Approver');
  expect(html).toContain('Dave Approver');
});
