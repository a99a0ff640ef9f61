// Issue 11 §5 in headless Chromium: the transparency report's per-incident section is written in an
// approver's browser, encrypted there to every current approver's key (the server's row holds no
// plaintext), decrypted there on the next visit, and put into the Markdown download made there.
// With the key locked, the page says that the download has the counts only.
import fs from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { lastCompletedPeriod } from '../../server/transparency/periods';
import { describeViolations, launchChromium, seriousAxeViolations } from '../helpers/browser';
import { memberInBrowser, signInInBrowser, type BrowserMember } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startAuthServer, type AuthTestServer } from '../helpers/member-auth';
import { seedCase } from '../helpers/transparency-cases';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: Page;
let bob: Page;
let aliceMember: BrowserMember;
const period = lastCompletedPeriod(new Date(), 6);
const SECTION = 'Incident 1: a maintainer was warned for repeated hostile review comments (Zebrafish-7731).';

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  for (let i = 0; i < 4; i++)
    await seedCase(t.db, { kind: 'coc', channel: 'web', createdAt: new Date(period.start.getTime() + i * 86_400_000) });
  const a = await memberInBrowser(browser, t.db, server, 'alice', 'approver');
  const b = await memberInBrowser(browser, t.db, server, 'bob', 'approver', { withKey: false });
  contexts.push(a.context, b.context);
  [alice, bob] = [a.page, b.page];
  aliceMember = a.member;
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

const status = (page: Page) => page.locator('[data-note-status]');

test('written and saved in the browser: the server stores ciphertext for both approvers, and no plaintext', async () => {
  await alice.goto(`${server.url}/dashboard/transparency`);
  await status(alice).filter({ hasText: 'No section saved for this period yet' }).waitFor();
  await alice.fill('#note-text', SECTION);
  await alice.getByRole('button', { name: 'Save the section, encrypted' }).click();
  await status(alice)
    .filter({ hasText: /^(Saved|Not saved)/ })
    .waitFor();
  expect(await status(alice).innerText()).toBe('Saved, encrypted to the 2 current approvers.');

  const rows = await t.db.selectFrom('transparency_notes').selectAll().execute();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ period_start: period.id, period_months: 6 });
  expect(rows[0]!.session_keys).toHaveLength(2);
  expect(rows[0]!.body.includes(Buffer.from('Zebrafish-7731'))).toBe(false);
  expect(JSON.stringify(rows[0]!.session_keys)).not.toContain('Zebrafish');
  const audit = await t.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'transparency.note-saved')
    .execute();
  expect(audit.map((r) => r.details)).toEqual([{ period: period.id, months: 6, recipients: 2 }]);
});

test('decrypted on the next visit, and put into the Markdown download made in the browser', async () => {
  await alice.goto(`${server.url}/dashboard/transparency?period=${period.id}`);
  await status(alice).filter({ hasText: 'decrypted in this browser with your key' }).waitFor();
  expect(await alice.inputValue('#note-text')).toBe(SECTION);

  const [download] = await Promise.all([
    alice.waitForEvent('download'),
    alice.getByRole('button', { name: /Download the Markdown with this section/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`transparency-report-${period.id}.md`);
  const markdown = await fs.readFile((await download.path())!, 'utf8');
  expect(markdown.startsWith(`# Transparency report: ${period.label}\n`)).toBe(true);
  expect(markdown).toContain('| Code of Conduct, by web form | 4 |');
  expect(markdown).toContain(`## Incidents\n\n${SECTION}\n`);
  // The counts came from the server's Markdown, whose download is in the audit log.
  const exported = await t.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'transparency.exported')
    .execute();
  expect(exported.map((r) => r.details)).toEqual([{ period: period.id, months: 6, format: 'md' }]);
});

test('with the key locked the section is neither shown nor editable, and the page says the download has the counts only', async () => {
  await bob.goto(`${server.url}/dashboard/transparency`);
  await status(bob).filter({ hasText: 'Your key is locked in this browser' }).waitFor();
  expect(await status(bob).innerText()).toContain('the Markdown download has the counts only');
  expect(await bob.locator('form[data-note-form]').isHidden()).toBe(true);
  expect(await bob.locator('[data-download-md]').innerText()).toBe('Markdown (counts only)');
  expect(await bob.content()).not.toContain('Zebrafish');
});

test('the page, its chart and its tables have no serious accessibility problem', async () => {
  // axe is injected as a script: this context lets it past the page's CSP.
  const context = await browser.newContext({ bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await signInInBrowser(page, server, aliceMember);
  await page.goto(`${server.url}/dashboard/transparency`);
  await status(page).filter({ hasText: 'locked' }).waitFor();
  expect(await page.getByRole('img', { name: `Transparency report, ${period.label}` }).count()).toBe(1);
  expect(await page.getByRole('table', { name: 'Reports received, by kind and channel' }).count()).toBe(1);
  expect(describeViolations(await seriousAxeViolations(page))).toBe('');
  await page.screenshot({ path: '/tmp/transparency/page.png', fullPage: true });
});
