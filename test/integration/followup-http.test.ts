// The follow-up page without JavaScript, over real HTTP: the receipt opens the case, decrypted
// content is shown as text (HTML-escaped), an answer needs the page's CSRF token, and receipt
// guesses are limited per client.
import type { MemberWithKey } from '../../db/members.queries';
import { caseTimeline } from '../../db/case-view.queries';
import { generateReceipt } from '../../crypto/receipt';
import { decryptSplit } from '../../crypto/split-message';
import { addCaseMessage, messageRecipients } from '../../server/cases/case-messages';
import { NO_MATCH } from '../../server/intake/followup';
import { STATES } from '../../server/cases/workflow';
import { WebClient, alertText, csrfTokenIn } from '../helpers/cookie-jar';
import { countCaseRows, createTestDatabase, forgetRateLimits, type TestDatabase } from '../helpers/db';
import { encryptArmored, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey, fixturePrivateKey } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';
import { addCast } from '../helpers/stored-case';

const REPLY = `Thanks! <script>alert("x")</script> <a href="javascript:alert('y')">details</a> & **bold**`;
const COMMENT = 'Responders only: do not tell the reporter yet.';

let t: TestDatabase;
let server: TestServer;
let cast: Awaited<ReturnType<typeof addCast>>;
let report: { reference: string; id: string; receipt: string };

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt' });
  report = await submitReport(t.db, 'security', 'Report <img src=x onerror=alert(1)>');
  const alice = signedIn(cast.alice as MemberWithKey);
  const readers = [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey];
  const reporterKey = (await messageRecipients(t.db, alice, report.reference, 'reply')).reporter!.publicKey;
  await addCaseMessage(
    t.db,
    alice,
    report.reference,
    'reply',
    await encryptArmored(REPLY, [...readers, reporterKey]),
    recordingEvents(),
  );
  await addCaseMessage(
    t.db,
    alice,
    report.reference,
    'comment',
    await encryptArmored(COMMENT, readers),
    recordingEvents(),
  );
  server = await startTestServer(t.db);
});
afterAll(async () => {
  await server.close();
  await t.destroy();
});

test('GET /followup renders the receipt form with a CSRF token and cookie, not cached', async () => {
  const client = new WebClient(server.url);
  const page = await client.get('/followup');
  expect(page.status).toBe(200);
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(csrfTokenIn(page.html, '/followup')).toMatch(/.{20,}/);
  expect(client.jar.get('intake.csrf')).toBeDefined();
  expect(page.html).toContain('name="receipt"');
});

test('the receipt opens the case: status, report and reply as escaped text, no comment', async () => {
  const client = new WebClient(server.url);
  const page = await client.submit(await client.get('/followup'), '/followup', { receipt: report.receipt });
  expect(page.status).toBe(200);
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.html).toContain(report.reference);
  expect(page.html).toContain(STATES.security.new!.reporterLabel);
  expect(page.html).toContain(
    'Thanks! &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;a href=&quot;javascript:alert(&#39;y&#39;)&quot;&gt;details&lt;/a&gt; &amp; **bold**',
  );
  expect(page.html).toContain('Report &lt;img src=x onerror=alert(1)&gt;');
  expect(page.html).not.toMatch(/<script>alert|<a href="javascript:|<img src=x/);
  expect(page.html).not.toContain(COMMENT);
});

test("an answer posted with the page's token is encrypted to the readers", async () => {
  const client = new WebClient(server.url);
  const casePage = await client.submit(await client.get('/followup'), '/followup', { receipt: report.receipt });
  const sent = await client.submit(casePage, '/followup/reply', {
    receipt: report.receipt,
    answer: 'It is 1.4.1 <exactly>.',
  });
  expect(sent.status).toBe(200);
  expect(sent.html).toContain('Your message was encrypted and sent.');
  expect(sent.html).toContain('It is 1.4.1 &lt;exactly&gt;.');
  const latest = (await caseTimeline(t.db, report.id, cast.bob!.id)).at(-1)!;
  expect(latest.role).toBe('reporter-reply');
  expect(
    (
      await decryptSplit({
        sessionKeyPacket: latest.packet!,
        body: latest.body,
        decryptionKey: await fixturePrivateKey('bob'),
      })
    ).data,
  ).toBe('It is 1.4.1 <exactly>.');
});

test('an answer posted without the token is not sent and opens no case, but is carried over to the next opening', async () => {
  const client = new WebClient(server.url);
  await client.get('/followup');
  const before = await countCaseRows(t.db);
  const forged = await client.post('/followup/reply', {
    receipt: report.receipt,
    answer: 'Kept <b>answer</b>',
    _csrf: 'forged',
  });
  expect(forged.status).toBe(403);
  expect(alertText(forged.html)).toContain('This page expired');
  expect(forged.html).not.toContain(report.reference);
  expect(forged.html).toContain('value="Kept &lt;b&gt;answer&lt;/b&gt;"');
  expect(await countCaseRows(t.db)).toEqual(before);
  const reopened = await client.submit(forged, '/followup', { receipt: report.receipt, answer: 'Kept <b>answer</b>' });
  expect(reopened.status).toBe(200);
  expect(reopened.html).toMatch(/<textarea[^>]*name="answer"[^>]*>Kept &lt;b&gt;answer&lt;\/b&gt;<\/textarea>/);
});

test("a receipt posted without the page's CSRF token opens nothing (another site cannot open its case in the reporter's browser)", async () => {
  const client = new WebClient(server.url);
  await client.get('/followup');
  for (const fields of [{ receipt: report.receipt }, { receipt: report.receipt, _csrf: 'forged' }] as Record<
    string,
    string
  >[]) {
    const page = await client.post('/followup', fields);
    expect(page.status).toBe(403);
    expect(alertText(page.html)).toContain('This page expired');
    expect(page.html).not.toContain(report.reference);
  }
  const stranger = await fetch(`${server.url}/followup`, {
    method: 'POST',
    body: new URLSearchParams({ receipt: report.receipt }),
  });
  expect(stranger.status).toBe(403);
});

test('a wrong receipt and a malformed one get the same page', async () => {
  const client = new WebClient(server.url);
  const form = await client.get('/followup');
  const wrong = await client.submit(form, '/followup', { receipt: generateReceipt() });
  const malformed = await client.submit(form, '/followup', { receipt: 'let me in' });
  for (const page of [wrong, malformed]) {
    expect(page.status).toBe(404);
    expect(alertText(page.html)).toBe(NO_MATCH);
  }
  const withoutToken = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');
  expect(withoutToken(wrong.html)).toBe(withoutToken(malformed.html));
});

test('after 30 guesses a client gets 429, even with the right receipt, on every receipt route', async () => {
  await forgetRateLimits(t.db);
  const limited = await startTestServer(t.db);
  try {
    const client = new WebClient(limited.url);
    const form = await client.get('/followup');
    for (let i = 0; i < 30; i += 1) {
      expect((await client.submit(form, '/followup', { receipt: generateReceipt() })).status).toBe(404);
    }
    expect((await client.submit(form, '/followup', { receipt: generateReceipt() })).status).toBe(429);
    const right = await client.submit(form, '/followup', { receipt: report.receipt });
    expect(right.status).toBe(429);
    expect(right.html).not.toContain(report.reference);
    expect((await client.get(`/api/followup/${'0'.repeat(64)}`)).status).toBe(429);
    expect((await client.get('/followup')).status).toBe(200);
  } finally {
    await limited.close();
  }
});
