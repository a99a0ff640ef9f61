// The report form without the page's script, in headless Chromium: the server encrypts on arrival,
// refuses what is too large without losing the reporter's text, and renders what was typed as text.
import crypto from 'node:crypto';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { countCaseRows } from '../helpers/db';
import { launchChromium } from '../helpers/browser';
import {
  attachFile,
  fieldText,
  openAndFillForm,
  submitAndReadConfirmation,
  submitWithoutScript,
} from '../helpers/report-page';
import {
  RECEIPT_SHAPE,
  canary,
  decryptCaseWithGpg,
  startReportScenario,
  type ReportScenario,
} from '../helpers/report-scenario';
import { newReferenceShape } from '../helpers/stored-case';

let browser: Browser;
let context: BrowserContext | undefined;
let scenario: ReportScenario | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await scenario?.close();
  context = scenario = undefined;
});

async function openPage(options: BrowserContextOptions): Promise<Page> {
  context = await browser.newContext(options);
  return context.newPage();
}

const NO_CASE_ROWS = { cases: 0, case_readers: 0, messages: 0, session_keys: 0 };

describe('with JavaScript off, the server encrypts the form on arrival', () => {
  test('a security report is confirmed with a reference and a receipt, and bob decrypts it with gpg (RSA-3072)', async () => {
    scenario = await startReportScenario();
    const page = await openPage({ javaScriptEnabled: false });
    const textCanary = canary('nojs');
    const attachment = crypto.randomBytes(300);
    const typed = fieldText('security', textCanary);

    await openAndFillForm(page, scenario.server.url, 'security', typed);
    await attachFile(page, 'dump.bin', attachment);
    const { reference, receipt } = await submitAndReadConfirmation(page);

    expect(reference).toMatch(newReferenceShape('SEC'));
    expect(receipt).toMatch(RECEIPT_SHAPE);
    const [report, file, ...rest] = await decryptCaseWithGpg(scenario.db, reference, 'bob');
    expect(rest).toEqual([]);
    for (const value of Object.values(typed)) expect(report!.data.toString('utf8')).toContain(value);
    expect(file!.data.equals(attachment)).toBe(true);
  });

  test('a too-large attachment is refused by name, the typed text comes back, and nothing is stored', async () => {
    scenario = await startReportScenario({ env: { MAX_ATTACHMENT_BYTES: '2048' } });
    const page = await openPage({ javaScriptEnabled: false });
    const typed = { body: `What I found.\nSecond line ${canary('kept')}`, component: 'the daemon' };

    await openAndFillForm(page, scenario.server.url, 'security', typed);
    await attachFile(page, 'huge-capture.pcap', crypto.randomBytes(5000));
    expect(await submitWithoutScript(page)).toBe(413);

    const problems = await page.locator('#problems[role=alert]').innerText();
    expect(problems).toContain('"huge-capture.pcap"');
    expect(problems).toMatch(/larger than/);
    expect(await page.inputValue('#f-body')).toBe(typed.body);
    expect(await page.inputValue('#f-component')).toBe(typed.component);
    expect(await countCaseRows(scenario.db)).toEqual(NO_CASE_ROWS);
  });

  test('markup in a refused submission comes back as text and never runs', async () => {
    scenario = await startReportScenario();
    // Script on, CSP off, and the page's own script blocked: the form posts natively to the
    // no-JavaScript path, and any markup the server failed to escape would run here.
    const page = await openPage({ javaScriptEnabled: true, bypassCSP: true });
    await page.route('**/assets/report-*.js', (route) => route.abort());
    const typed = {
      body: '</textarea><script>window.__pwned=1</script>',
      component: '"><script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">',
      contact: "'><svg onload=window.__pwned=4>",
    };

    await openAndFillForm(page, scenario.server.url, 'security', typed);
    // A token that does not match the cookie: the server reads the form, refuses it and shows it again.
    // (Without the cookie it would refuse before reading, and have no text to show.)
    await page.locator('input[name="_csrf"]').evaluate((input) => ((input as HTMLInputElement).value = 'forged'));
    expect(await submitWithoutScript(page)).toBe(403);

    expect(await page.locator('#problems').innerText()).toMatch(/form expired/);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    for (const [name, value] of Object.entries(typed)) expect(await page.inputValue(`#f-${name}`)).toBe(value);
    expect(await page.locator('script:not([src]), svg, img').count()).toBe(0);
    expect(await countCaseRows(scenario.db)).toEqual(NO_CASE_ROWS);

    // Control: in this context an injected inline script does run, so the checks above can fail.
    await page.addScriptTag({ content: 'window.__pwned = 5' });
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBe(5);
  });
});
