// Issue 8 item 8, in headless Chromium: the case list says what is new for the member looking at
// it ("New comment", "New message from the reporter"), the case page marks the new messages, and
// opening the case clears it — for that member only. Another member's own note is never new to them.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import {
  memberInBrowser,
  openCaseInBrowser,
  openFollowupInBrowser,
  sendFromComposer,
} from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startAuthServer, type AuthTestServer } from '../helpers/member-auth';
import { openAndFillForm, submitAndReadConfirmation, fieldText, type Confirmation } from '../helpers/report-page';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: Page;
let bob: Page;
let security: Confirmation;
let other: { reference: string };

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  const a = await memberInBrowser(browser, t.db, server, 'alice', 'srt');
  const b = await memberInBrowser(browser, t.db, server, 'bob', 'srt');
  contexts.push(a.context, b.context);
  alice = a.page;
  bob = b.page;
  const reporterContext = await browser.newContext();
  contexts.push(reporterContext);
  const reporter = await reporterContext.newPage();
  await openAndFillForm(reporter, server.url, 'security', fieldText('security', 'unread'));
  security = await submitAndReadConfirmation(reporter);
  other = await submitReport(t.db, 'security', 'A second case, untouched.');
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

async function listNotes(page: Page): Promise<{ count: string; rows: Record<string, string[]> }> {
  await page.goto(`${server.url}/dashboard`);
  const rows = await page
    .locator('tr[data-case]')
    .evaluateAll((trs) =>
      trs.map(
        (tr) =>
          [
            tr.getAttribute('data-case')!,
            [...tr.querySelectorAll('[data-unread]')].map((n) => n.textContent ?? ''),
          ] as const,
      ),
    );
  return { count: await page.locator('[data-unread-count]').innerText(), rows: Object.fromEntries(rows) };
}

test('new cases are new to each reader; opening one clears it for that reader alone', async () => {
  expect(await listNotes(alice)).toEqual({
    count: '2 cases with something new for you since you last looked.',
    rows: { [security.reference]: ['New case: not opened yet'], [other.reference]: ['New case: not opened yet'] },
  });
  await alice.getByRole('link', { name: security.reference }).click();
  await alice.waitForURL(`${server.url}/dashboard/cases/${security.reference}`);
  expect(await listNotes(alice)).toEqual({
    count: '1 case with something new for you since you last looked.',
    rows: { [security.reference]: [], [other.reference]: ['New case: not opened yet'] },
  });
  expect((await listNotes(bob)).rows[security.reference]).toEqual(['New case: not opened yet']);
});

test('bob’s note is new to alice, marked on the case page, and never new to bob', async () => {
  await openCaseInBrowser(bob, server.url, security.reference);
  await sendFromComposer(bob, 'comment', 'I can reproduce this.');
  expect((await listNotes(bob)).rows[security.reference]).toEqual([]);
  expect((await listNotes(alice)).rows[security.reference]).toEqual(['New comment']);

  await openCaseInBrowser(alice, server.url, security.reference);
  expect(await alice.locator('[data-unread-notice]').innerText()).toBe(
    'New since you last looked: 1 message, marked “New” below.',
  );
  const marked = alice.locator('[data-message][data-new]');
  expect(
    await marked.evaluateAll((items) =>
      items.map((i) => [i.getAttribute('data-role'), i.querySelector('.new-mark')?.textContent]),
    ),
  ).toEqual([['comment', 'New']]);
  expect(await marked.locator('[data-content]').innerText()).toBe('I can reproduce this.');

  // Seen now: the mark is gone from the list and from the page.
  expect((await listNotes(alice)).rows[security.reference]).toEqual([]);
  await openCaseInBrowser(alice, server.url, security.reference);
  expect(await alice.locator('[data-message][data-new]').count()).toBe(0);
  expect(await alice.locator('[data-unread-notice]').count()).toBe(0);
});

test('the reporter’s answer shows as a new message from the reporter to both readers', async () => {
  const reporterContext = await browser.newContext();
  contexts.push(reporterContext);
  const reporter = await reporterContext.newPage();
  await openFollowupInBrowser(reporter, server.url, security.receipt);
  await reporter.locator('#answer').fill('Version 3.2, default settings.');
  await reporter.getByRole('button', { name: 'Encrypt and send' }).click();
  await reporter.locator('[data-followup-view] pre', { hasText: 'Version 3.2' }).waitFor();

  expect((await listNotes(alice)).rows[security.reference]).toEqual(['New message from the reporter']);
  expect((await listNotes(bob)).rows[security.reference]).toEqual(['New message from the reporter']);
  await openCaseInBrowser(bob, server.url, security.reference);
  expect(await bob.locator('[data-message][data-new]').getAttribute('data-role')).toBe('reporter-reply');
  // bob has read it; alice has not.
  expect((await listNotes(bob)).rows[security.reference]).toEqual([]);
  expect((await listNotes(alice)).rows[security.reference]).toEqual(['New message from the reporter']);
});
