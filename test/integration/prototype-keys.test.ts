// Names of Object.prototype members as form fields, JSON keys, query keys, cookie names and header
// names: each is an unknown name like any other. The server runs in a child process (as `npm start`
// runs it), so that a crash is seen as one: one such field used to end it.
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { startAppProcess, type AppProcess } from '../helpers/app-process';
import { buildEncryptedPayload } from '../helpers/encrypted-payload';
import { confirmationOf, followToConfirmation, openReportForm, postReportForm } from '../helpers/form-client';
import { PROTOTYPE_NAMES, sendRaw, showsInternals } from '../helpers/hostile-input';
import { addFixtureMember, fixtureKey } from '../helpers/keys';

let tdb: TestDatabase;
let app: AppProcess;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'alice', 'srt');
  await addFixtureMember(tdb.db, 'bob', 'srt');
  await addFixtureMember(tdb.db, 'carol', 'approver');
  app = await startAppProcess(tdb.url, { SUBMISSION_RATE_LIMIT: '1000' });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await tdb?.destroy();
});

afterEach(async () => {
  expect(app.exit()).toBeNull();
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
});

const cookieOf = (session: { cookie: string }) => session.cookie;

test('a form field named after an Object.prototype member is ignored: the report is stored, urlencoded or multipart', async () => {
  for (const name of PROTOTYPE_NAMES) {
    // One case per form: each post has a form of its own.
    const session = await openReportForm(app.url, 'security');
    const urlencoded = await fetch(`${app.url}/report?kind=security`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(session) },
      body: `${encodeURIComponent(name)}=x&kind=security&body=${encodeURIComponent(`urlencoded with ${name}`)}&_csrf=${encodeURIComponent(session.csrf)}&submission=${encodeURIComponent(session.submission)}`,
      redirect: 'manual',
    });
    expect({ name, status: urlencoded.status }).toEqual({ name, status: 303 });
    expect(confirmationOf((await followToConfirmation(app.url, cookieOf(session), urlencoded)).html)).not.toBeNull();

    const another = await openReportForm(app.url, 'security');
    const multipart = await postReportForm(app.url, another, {
      [name]: 'x',
      kind: 'security',
      body: `multipart with ${name}`,
      _csrf: another.csrf,
    });
    expect({ name, status: multipart.status }).toEqual({ name, status: 303 });
  }
  expect((await countCaseRows(tdb.db)).cases).toBe(2 * PROTOTYPE_NAMES.length);
});

test('a prototype-named field with a forged form token is refused with 403, the text kept', async () => {
  const session = await openReportForm(app.url, 'coc');
  for (const name of PROTOTYPE_NAMES) {
    const answer = await postReportForm(app.url, session, {
      [name]: 'x',
      kind: 'coc',
      body: 'kept text',
      _csrf: 'forged',
    });
    expect({ name, status: answer.status }).toEqual({ name, status: 403 });
    expect(answer.html).toContain('kept text');
  }
});

test('JSON keys named after prototype members are unknown keys: ignored beside a valid report, refused in place of one', async () => {
  const before = await countCaseRows(tdb.db);
  const { body } = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey],
    text: 'x',
  });
  const extras = Object.fromEntries(PROTOTYPE_NAMES.map((name) => [name, { kind: 'coc', length: 1 }]));
  // JSON.stringify drops an own "__proto__" only when it was set as the prototype; written by hand it is a key.
  const json = `{"__proto__":{"kind":"coc"},${JSON.stringify({ ...extras, ...body, reporter: { ...extras, ...body.reporter } }).slice(1)}`;
  const accepted = await fetch(`${app.url}/api/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: json,
  });
  expect(accepted.status).toBe(201);

  for (const name of PROTOTYPE_NAMES) {
    const wrapped = `{${JSON.stringify(name)}:${JSON.stringify(body)}}`;
    const refused = await fetch(`${app.url}/api/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: wrapped,
    });
    expect({ name, status: refused.status }).toEqual({ name, status: 400 });
    const dashboard = await fetch(`${app.url}/api/dashboard/key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{${JSON.stringify(name)}:{"publicKey":"x"}}`,
    });
    expect({ name, status: dashboard.status }).toEqual({ name, status: 401 });
  }
  expect((await countCaseRows(tdb.db)).cases).toBe((before.cases ?? 0) + 1);
});

test('query keys, cookie names and header names named after prototype members change nothing', async () => {
  const paths = [
    '/report',
    '/report?kind=security',
    '/api/recipients?kind=coc',
    '/api/approvers',
    '/signin',
    '/followup',
    '/dashboard',
    '/invite',
    '/security-policy',
  ];
  for (const path of paths) {
    for (const name of PROTOTYPE_NAMES) {
      const query = `${path}${path.includes('?') ? '&' : '?'}${encodeURIComponent(name)}=x&${encodeURIComponent(name)}=y`;
      const answer = await sendRaw(app.url, {
        method: 'GET',
        target: query,
        headers: [
          [name, 'x'],
          ['Cookie', `${name}=x; intake.csrf=j:{"${name}":1}; intake.session=j:["${name}"]; intake.invite=j:1`],
        ],
      });
      expect({ query, name, status: answer.status }).toEqual({ query, name, status: expect.any(Number) });
      expect(answer.status).toBeGreaterThanOrEqual(200);
      expect(answer.status).toBeLessThan(500);
      expect(showsInternals(answer.text)).toBe(false);
    }
  }
});

test('a cookie holding JSON ("j:" values) is not read as an object: sign-in and the report form still work', async () => {
  const page = await fetch(`${app.url}/signin`, { headers: { cookie: 'intake.csrf=j:{"a":1}' } });
  expect(page.status).toBe(200);
  const form = await fetch(`${app.url}/report?kind=coc`, { headers: { cookie: 'intake.csrf=j:[1,2]' } });
  expect(form.status).toBe(200);
  const post = await fetch(`${app.url}/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'intake.csrf=j:{"a":1}' },
    body: 'email=a%40example.org&password=x&code=123456&_csrf=x',
  });
  expect(post.status).toBe(403);
  const session = await openReportForm(app.url, 'coc');
  const stored = await postReportForm(app.url, session, {
    kind: 'coc',
    body: 'after the hostile cookies',
    _csrf: session.csrf,
  });
  expect(stored.status).toBe(303);
});
