// Issue 8 item 6, in headless Chromium: every closing move is confirmed on a page of its own — with
// JavaScript and without — and "keep it open" changes nothing; a reader reopens a closed case with
// a reason, which the browser encrypts (with JavaScript) or the server does (without), and which
// comes back as a note the readers decrypt. The audit trail records the move, never the reason.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, recordRequests, requestsContaining } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import { caseMessages, memberInBrowser, openCaseInBrowser } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startAuthServer, type AuthTestServer } from '../helpers/member-auth';
import { canary } from '../helpers/report-scenario';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: Page;
let bob: Page;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  const a = await memberInBrowser(browser, t.db, server, 'alice', 'srt');
  const b = await memberInBrowser(browser, t.db, server, 'bob', 'srt', { withKey: false, javaScript: false });
  contexts.push(a.context, b.context);
  alice = a.page;
  bob = b.page;
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

const statusOf = async (reference: string) =>
  (await t.db.selectFrom('cases').select('status').where('reference', '=', reference).executeTakeFirstOrThrow()).status;

describe.each([
  ['with JavaScript', () => alice],
  ['without JavaScript', () => bob],
])('closing, %s', (_how, page) => {
  test('"Closed: spam" asks first; "keep it open" leaves the case as it was', async () => {
    const { reference } = await submitReport(t.db, 'security', 'Definitely a real report.');
    await page().goto(`${server.url}/dashboard/cases/${reference}`);
    await page().getByRole('button', { name: 'Closed: spam', exact: true }).click();
    await page().waitForLoadState('load');
    expect(await page().locator('h1').innerText()).toBe(`Close ${reference} as “Closed: spam”?`);
    expect(await page().locator('[data-confirm-close]').innerText()).toContain(
      'The reporter’s follow-up page will say: Closed',
    );
    await page().getByRole('link', { name: 'No, keep it open' }).click();
    await page().waitForURL(`${server.url}/dashboard/cases/${reference}`);
    expect(await page().locator('[data-status]').innerText()).toBe('New');
    expect(await statusOf(reference)).toBe('new');

    await page().getByRole('button', { name: 'Closed: spam', exact: true }).click();
    await page().getByRole('button', { name: 'Yes, close it as “Closed: spam”' }).click();
    await page().waitForURL(`${server.url}/dashboard/cases/${reference}`);
    expect(await page().locator('[data-status]').innerText()).toBe('Closed: spam');
    expect(await statusOf(reference)).toBe('spam');
  });

  test('a duplicate is confirmed with the case it duplicates, which a missing reference stops beside its field', async () => {
    const { reference } = await submitReport(t.db, 'security', 'Seen before.');
    await page().goto(`${server.url}/dashboard/cases/${reference}`);
    await page().fill('#dup-of', 'not a reference!');
    await page().getByRole('button', { name: 'Closed: duplicate', exact: true }).click();
    await page().waitForLoadState('load');
    expect(await page().locator('#duplicateOf-problem').innerText()).toMatch(/Name the case this one duplicates/);
    expect(await page().inputValue('#dup-of')).toBe('not a reference!');
    await page().fill('#dup-of', 'sec-2026-0042');
    await page().getByRole('button', { name: 'Closed: duplicate', exact: true }).click();
    expect(await page().locator('[data-confirm-close]').innerText()).toContain(
      'Recorded as a duplicate of SEC-2026-0042.',
    );
    await page()
      .getByRole('button', { name: /^Yes, close it/ })
      .click();
    await page().waitForURL(`${server.url}/dashboard/cases/${reference}`);
    expect(await statusOf(reference)).toBe('duplicate');
  });
});

test('with JavaScript, the reopen reason is encrypted in the browser: only ciphertext leaves it', async () => {
  const { reference } = await submitReport(t.db, 'security', 'Closed too early.');
  await t.db.updateTable('cases').set({ status: 'not-a-vulnerability' }).where('reference', '=', reference).execute();
  const reason = `The reporter showed an exploit. ${canary('reopen-js')}`;
  await openCaseInBrowser(alice, server.url, reference);
  const requests = recordRequests(alice);
  expect(await alice.locator('form[data-reopen]').innerText()).toContain('it goes back to Assessing');
  await alice.fill('#reopen-reason', reason);
  const reopened = alice.waitForEvent('load');
  await alice.getByRole('button', { name: 'Reopen the case' }).click();
  await reopened;
  await openCaseInBrowser(alice, server.url, reference);
  expect(await alice.locator('[data-status]').innerText()).toBe('Assessing');
  expect((await caseMessages(alice)).at(-1)).toEqual({ role: 'comment', text: reason });

  const posted = requests.filter((r) => r.method === 'POST');
  expect(posted.map((r) => new URL(r.url).pathname)).toEqual([`/dashboard/cases/${reference}/reopen`]);
  expect(requestsContaining(requests, canary('reopen-js'))).toEqual([]);
  expect(posted[0]!.body!.toString()).toContain('BEGIN+PGP+MESSAGE');
  expect(await alice.locator('[data-audit-sentences]').innerText()).toContain(
    'reopened it (from Closed: not a vulnerability to Assessing) and left the reason as a note',
  );
});

test('without JavaScript, the reason is required, kept when refused, and then encrypted by the server', async () => {
  const security = await submitReport(t.db, 'security', 'Closed, then seen again.');
  await t.db.updateTable('cases').set({ status: 'out-of-scope' }).where('id', '=', security.id).execute();
  await bob.goto(`${server.url}/dashboard/cases/${security.reference}`);
  // The browser itself refuses an empty reason (required); a blank one reaches the server and is refused beside the field.
  await bob.fill('#reopen-reason', '   ');
  await bob.getByRole('button', { name: 'Reopen the case' }).click();
  await bob.waitForLoadState('load');
  expect(await bob.locator('#reason-problem').innerText()).toMatch(/Say why the case is reopened/);
  expect(await bob.locator('[data-problems]').innerText()).toContain('Not saved');
  expect(await bob.inputValue('#reopen-reason')).toBe('   ');
  const reason = `In scope after the 2.0 release. ${canary('reopen-nojs')}`;
  await bob.fill('#reopen-reason', reason);
  await bob.getByRole('button', { name: 'Reopen the case' }).click();
  await bob.waitForURL(`${server.url}/dashboard/cases/${security.reference}`);
  await bob.locator('[data-status]', { hasText: 'Assessing' }).waitFor();
  expect(await bob.locator('[data-status]').innerText()).toBe('Assessing');
  const audit = await t.db.selectFrom('audit_log').select('details').execute();
  expect(JSON.stringify(audit)).not.toContain(canary('reopen-nojs'));
  // alice, with her key, reads bob's reason as a note.
  await openCaseInBrowser(alice, server.url, security.reference);
  expect((await caseMessages(alice)).at(-1)).toEqual({ role: 'comment', text: reason });
});
