// Issue 8 item 7, in headless Chromium: a refused triage form stays on the case page, says what is
// wrong beside the field (and in a summary that links to it), keeps everything that was typed, and
// saves nothing — with JavaScript and without, as the forms are plain HTML either way.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import { memberInBrowser } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { startAuthServer, type AuthTestServer } from '../helpers/member-auth';

const BAD_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H';
const GOOD_VECTOR = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pages: Record<string, Page> = {};

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  const withJs = await memberInBrowser(browser, t.db, server, 'alice', 'srt', { withKey: false });
  const withoutJs = await memberInBrowser(browser, t.db, server, 'bob', 'srt', { withKey: false, javaScript: false });
  contexts.push(withJs.context, withoutJs.context);
  pages['with JavaScript'] = withJs.page;
  pages['without JavaScript'] = withoutJs.page;
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

const caseRow = (id: string) =>
  t.db
    .selectFrom('cases')
    .select(['severity_vector', 'cwe', 'affected_versions', 'embargo_until'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe.each(['with JavaScript', 'without JavaScript'])('%s', (how) => {
  const page = () => pages[how]!;

  test('a bad CVSS vector is shown beside its field, with the vector, CWE and versions kept, and nothing saved', async () => {
    const c = await submitReport(t.db, 'security', 'Deserialisation in the cache loader.');
    await page().goto(`${server.url}/dashboard/cases/${c.reference}`);
    await page().fill('#vector', BAD_VECTOR);
    await page().fill('#cwe', 'CWE-502');
    await page().fill('#affected', '>= 1.2, < 1.4.3');
    const response = page().waitForResponse((r) => r.request().method() === 'POST');
    await page().getByRole('button', { name: 'Save severity' }).click();
    expect((await response).status()).toBe(400);
    await page().waitForLoadState('load');

    expect(await page().locator('h1').innerText()).toContain(c.reference);
    const problem = page().locator('#vector-problem');
    expect(await problem.innerText()).toBe('Not saved: The CVSS 3.1 vector lacks the base metric(s) A.');
    // Beside its field: between the field's label and the field, and the field points to it.
    expect(await page().locator('#vector').getAttribute('aria-invalid')).toBe('true');
    expect(await page().locator('#vector').getAttribute('aria-describedby')).toBe('vector-problem');
    const [box, field] = [(await problem.boundingBox())!, (await page().locator('#vector').boundingBox())!];
    expect(Math.abs(field.y - (box.y + box.height))).toBeLessThan(40);
    expect(await page().inputValue('#vector')).toBe(BAD_VECTOR);
    expect(await page().inputValue('#cwe')).toBe('CWE-502');
    expect(await page().inputValue('#affected')).toBe('>= 1.2, < 1.4.3');
    // The summary links to the field.
    expect(await page().locator('[data-problems] a').getAttribute('href')).toBe('#vector');
    expect(await caseRow(c.id)).toEqual({
      severity_vector: null,
      cwe: null,
      affected_versions: null,
      embargo_until: null,
    });

    // Corrected in place, it saves.
    await page().fill('#vector', GOOD_VECTOR);
    await page().getByRole('button', { name: 'Save severity' }).click();
    await page().waitForURL(`${server.url}/dashboard/cases/${c.reference}`);
    expect(await page().locator('p', { hasText: 'Severity:' }).innerText()).toMatch(/9\.8 \(critical\)/);
    expect(await page().locator('[data-problems]').count()).toBe(0);
  });

  test('a bad CWE is filed under the CWE field, not the vector', async () => {
    const c = await submitReport(t.db, 'security', 'Stored XSS in the comment preview.');
    await page().goto(`${server.url}/dashboard/cases/${c.reference}`);
    await page().fill('#vector', GOOD_VECTOR);
    await page().fill('#cwe', 'XSS');
    await page().getByRole('button', { name: 'Save severity' }).click();
    await page().waitForLoadState('load');
    expect(await page().locator('#cwe-problem').innerText()).toBe('Not saved: A CWE is written like CWE-79.');
    expect(await page().locator('#vector-problem').count()).toBe(0);
    expect(await page().inputValue('#vector')).toBe(GOOD_VECTOR);
    expect(await page().inputValue('#cwe')).toBe('XSS');
  });

  test('an impossible embargo date is refused beside the date, and the date as typed is kept', async () => {
    const c = await submitReport(t.db, 'security', 'Timing leak in the token compare.');
    await page().goto(`${server.url}/dashboard/cases/${c.reference}`);
    await page().fill('#embargo', '2027-02-30');
    await page().getByRole('button', { name: 'Save date' }).click();
    await page().waitForLoadState('load');
    expect(await page().locator('#embargoUntil-problem').innerText()).toBe('Not saved: Give the date as YYYY-MM-DD.');
    expect(await page().inputValue('#embargo')).toBe('2027-02-30');
    expect(await page().locator('#embargo').getAttribute('aria-describedby')).toBe('embargo-hint embargoUntil-problem');
    expect((await caseRow(c.id)).embargo_until).toBeNull();
  });
});

test('the refused page focuses the field at fault (with JavaScript, where the browser honours autofocus)', async () => {
  const page = pages['with JavaScript']!;
  const c = await submitReport(t.db, 'security', 'Weak randomness in invite tokens.');
  await page.goto(`${server.url}/dashboard/cases/${c.reference}`);
  await page.fill('#embargo', 'next week');
  await page.getByRole('button', { name: 'Save date' }).click();
  await page.waitForLoadState('load');
  await page.waitForFunction(() => document.activeElement?.id === 'embargo');
  expect(await page.inputValue('#embargo')).toBe('next week');
});
