// One case per report form, over real HTTP: the one-time submission token is used in the statement
// that stores the case, and the no-JavaScript receipt is shown once, on a confirmation page reached
// by a redirect, never in a URL and never kept readable in the database.
import { createTestDatabase, countCaseRows, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';
import { confirmationOf, openReportForm, postReportForm, type FormAnswer } from '../helpers/form-client';
import { buildEncryptedPayload } from '../helpers/encrypted-payload';
import { dumpDatabaseText, foundInDump } from '../helpers/storage-scan';
import { receiptLookupHash } from '../../crypto/receipt';

let tdb: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'carol', 'approver');
  server = await startTestServer(tdb.db, { SUBMISSION_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await server.close();
  await tdb.destroy();
});

const caseCount = async (): Promise<number> => (await countCaseRows(tdb.db)).cases ?? 0;

test('a stored report redirects to a confirmation that shows the receipt once; a reload shows it no more', async () => {
  const session = await openReportForm(server.url, 'coc');
  const answer = await postReportForm(server.url, session, { kind: 'coc', _csrf: session.csrf, body: 'shown once' });
  expect(answer.status).toBe(303);
  expect(answer.location).toMatch(/^\/report\/received\/[A-Za-z0-9_-]{16}$/);
  const confirmed = confirmationOf(answer.html);
  expect(confirmed).not.toBeNull();
  expect(answer.location).not.toContain(session.submission);

  // The receipt's lookup is the case's, and nothing readable of it is left in the database.
  const row = await tdb.db
    .selectFrom('cases')
    .select('receipt_lookup')
    .where('reference', '=', confirmed!.reference)
    .executeTakeFirstOrThrow();
  expect(Buffer.from(row.receipt_lookup).equals(Buffer.from(await receiptLookupHash(confirmed!.receipt)))).toBe(true);
  const tokens = await tdb.db.selectFrom('submission_tokens').select(['sealed_receipt', 'seal_until']).execute();
  expect(tokens).toEqual([{ sealed_receipt: null, seal_until: null }]);
  expect(foundInDump(await dumpDatabaseText(tdb.url), [confirmed!.receipt, session.submission])).toEqual([]);

  // A reload of the confirmation (the browser still holding the cookie) gets the "already shown" page.
  const reload = await fetch(new URL(answer.location!, server.url), { headers: { cookie: session.cookie } });
  const html = await reload.text();
  expect(reload.status).toBe(200);
  expect(reload.headers.get('cache-control')).toBe('no-store');
  expect(html).toContain('is not shown again');
  expect(html).not.toContain(confirmed!.receipt);
  expect(html).not.toContain('data-receipt');
});

test('two concurrent posts of one form make exactly one case, and only one page ever shows the receipt', async () => {
  const session = await openReportForm(server.url, 'coc');
  const before = await caseCount();
  const fields = { kind: 'coc', _csrf: session.csrf, body: 'posted twice at once' };
  const answers: FormAnswer[] = await Promise.all([
    postReportForm(server.url, session, fields),
    postReportForm(server.url, session, fields),
  ]);
  expect(await caseCount()).toBe(before + 1);

  const receipts = answers.map((a) => confirmationOf(a.html)).filter((c) => c !== null);
  expect(receipts).toHaveLength(1);
  const other = answers.find((a) => confirmationOf(a.html) === null)!;
  expect(other.html).toContain('Your report was received');
  expect(other.html).toContain(receipts[0]!.reference);
  expect(other.html).not.toContain(receipts[0]!.receipt);
});

test('the same form posted again after its confirmation gets the reference, never the receipt, and no second case', async () => {
  const session = await openReportForm(server.url, 'security');
  const fields = { kind: 'security', _csrf: session.csrf, body: 'sent, then sent again' };
  const first = confirmationOf((await postReportForm(server.url, session, fields)).html)!;
  const before = await caseCount();

  const again = await postReportForm(server.url, session, fields);
  expect(again.status).toBe(409);
  expect(again.html).toContain(first.reference);
  expect(again.html).toContain('sent nothing again');
  expect(again.html).not.toContain(first.receipt);
  expect(await caseCount()).toBe(before);
});

test('a receipt nobody came for is dropped when its seal expires, and is then never shown', async () => {
  const session = await openReportForm(server.url, 'coc');
  const response = await fetch(`${server.url}/report`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      kind: 'coc',
      _csrf: session.csrf,
      submission: session.submission,
      body: 'never picked up',
    }),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  const waiting = await tdb.db
    .selectFrom('submission_tokens')
    .select('sealed_receipt')
    .where('sealed_receipt', 'is not', null)
    .execute();
  expect(waiting).toHaveLength(1);
  await tdb.db
    .updateTable('submission_tokens')
    .set({ seal_until: new Date(Date.now() - 1000) })
    .where('sealed_receipt', 'is not', null)
    .execute();

  const cookie = [session.cookie, ...response.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
  const html = await (
    await fetch(new URL(response.headers.get('location')!, server.url), { headers: { cookie } })
  ).text();
  expect(html).toContain('is not shown again');
  expect(html).not.toContain('data-receipt');
});

test("a forged, altered, missing or another browser's token is refused like an expired form, with the text kept and nothing stored", async () => {
  const session = await openReportForm(server.url, 'coc');
  const elsewhere = await openReportForm(server.url, 'coc');
  const before = await countCaseRows(tdb.db);
  const [random, expiry, mac] = session.submission.split('.');
  const later = (parseInt(expiry!, 36) + 86_400_000).toString(36);
  for (const submission of [`${random}.${later}.${mac}`, 'x'.repeat(40), [], elsewhere.submission]) {
    const answer = await postReportForm(
      server.url,
      { cookie: session.cookie },
      { kind: 'coc', _csrf: session.csrf, submission, body: 'kept <text>' },
    );
    expect(answer.status).toBe(403);
    expect(answer.html).toContain('This form expired');
    expect(answer.html).toContain('kept &lt;text&gt;</textarea>');
    expect(answer.html).toMatch(/name="submission" value="[A-Za-z0-9_-]{32}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}"/);
    expect(answer.html).not.toContain(session.submission);
  }
  expect(await countCaseRows(tdb.db)).toEqual(before);
});

test('the API: a retry of the same request with the token gets the same case; another report with it is refused', async () => {
  const { submission, cookie } = await openReportForm(server.url, 'coc');
  const payload = await buildEncryptedPayload({
    kind: 'coc',
    recipientKeys: [fixtureKey('carol').publicKey],
    text: 'api report',
  });
  const before = await caseCount();
  // The page's script sends the form's token; the browser sends the cookie it is bound to.
  const postJson = async (body: unknown, withCookie = true) => {
    const response = await fetch(`${server.url}/api/reports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(withCookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const [first, retry] = await Promise.all([
    postJson({ ...payload.body, submissionToken: submission }),
    postJson({ ...payload.body, submissionToken: submission }),
  ]);
  expect(first.status).toBe(201);
  expect(retry.status).toBe(201);
  expect(retry.json.reference).toBe(first.json.reference);
  expect(await caseCount()).toBe(before + 1);

  const other = await buildEncryptedPayload({
    kind: 'coc',
    recipientKeys: [fixtureKey('carol').publicKey],
    text: 'a different report',
  });
  const refused = await postJson({ ...other.body, submissionToken: submission });
  expect(refused.status).toBe(409);
  expect(String(refused.json.error)).toContain(String(first.json.reference));
  for (const [token, withCookie] of [
    ['not-a-token', true],
    [submission, false],
  ] as const) {
    const forged = await postJson({ ...other.body, submissionToken: token }, withCookie);
    expect(forged.status).toBe(400);
  }
  expect(await caseCount()).toBe(before + 1);
});
