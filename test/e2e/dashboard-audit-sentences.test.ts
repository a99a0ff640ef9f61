// Issue 8 item 9, in headless Chromium: the audit trail reads as sentences, repeated views fold into
// one, the raw rows are one click away; the channel is said in words, and every date on the case
// page — the embargo field included — is written YYYY-MM-DD, never the browser's mm/dd/yyyy.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import { memberInBrowser, moveCaseInBrowser } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixtureKey } from '../helpers/keys';
import { startAuthServer, type AuthTestServer } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let security: { reference: string; id: string };
const alice = fixtureKey('alice').displayName;
const bob = fixtureKey('bob').displayName;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  // en-US, where a type=date field would show mm/dd/yyyy.
  ({ context, page } = await memberInBrowser(browser, t.db, server, 'alice', 'srt', { withKey: false }));
  await memberInBrowser(browser, t.db, server, 'bob', 'srt', { withKey: false }).then((b) => b.context.close());
  security = await submitReport(t.db, 'security', 'Privilege escalation through the plugin loader.');
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

const sentences = () => page.locator('[data-audit-sentences] li').allInnerTexts();
const ISO_MINUTE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(–(\d{4}-\d{2}-\d{2} )?\d{2}:\d{2})? UTC: /;

test('the trail is sentences, with repeated views folded into one', async () => {
  for (let i = 0; i < 4; i++) await page.goto(`${server.url}/dashboard/cases/${security.reference}`);
  await moveCaseInBrowser(page, 'Acknowledged');
  await page.selectOption('#assignee', { label: bob });
  await page.getByRole('button', { name: 'Assign' }).click();
  await page.waitForLoadState('load');

  const said = await sentences();
  for (const line of said) expect(line).toMatch(ISO_MINUTE);
  expect(said.map((line) => line.replace(ISO_MINUTE, ''))).toEqual([
    'The report arrived by web form, without JavaScript.',
    `${alice} viewed it 4 times.`,
    `${alice} moved it from New to Acknowledged.`,
    `${alice} viewed it.`,
    `${alice} assigned it to ${bob}.`,
    `${alice} viewed it.`,
  ]);
  expect(await page.locator('[data-audit-sentences]').innerText()).not.toMatch(/case\.|status-changed/);
});

test('the raw rows are one click away', async () => {
  const raw = page.locator('details.raw-audit table');
  expect(await raw.isVisible()).toBe(false);
  await page.getByText('Show the raw audit rows').click();
  await raw.waitFor();
  const actions = await raw.locator('tbody tr td:nth-child(4)').allInnerTexts();
  expect(actions.filter((a) => a === 'case.viewed')).toHaveLength(6);
  expect(actions).toContain('case.status-changed');
  expect(await raw.locator('tbody tr').first().innerText()).toMatch(/^1\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
});

test('the channel is said in words, and no code or US-style date is shown anywhere on the page', async () => {
  expect(await page.locator('dl.facts').innerText()).toMatch(
    /Received\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, by web form, without JavaScript/,
  );
  // Outside the raw rows, which show the log as it is stored.
  await page.getByText('Show the raw audit rows').click();
  await page.locator('details.raw-audit table').waitFor({ state: 'hidden' });
  const visible = await page.locator('main').innerText();
  expect(visible).not.toContain('web-no-js');
  expect(visible).not.toMatch(/\b\d{2}\/\d{2}\/\d{4}\b/);
});

test('the embargo date is typed and shown as YYYY-MM-DD, like every other date', async () => {
  const field = page.locator('#embargo');
  expect(await field.getAttribute('type')).toBe('text');
  expect(await field.getAttribute('placeholder')).toBe('YYYY-MM-DD');
  expect(await page.locator('#embargo-hint').innerText()).toContain('YYYY-MM-DD');
  await field.fill('2027-03-31');
  await page.getByRole('button', { name: 'Save date' }).click();
  await page.waitForLoadState('load');
  expect(await page.inputValue('#embargo')).toBe('2027-03-31');
  expect((await sentences()).some((line) => line.endsWith(`${alice} set the date to 2027-03-31.`))).toBe(true);
});
