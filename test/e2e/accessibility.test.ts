// axe-core on every public page a reporter sees, in the states they see it in: the choice of kind,
// both forms, a form that comes back with problems, and both confirmations (server- and browser-made).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeViolations, launchChromium, seriousAxeViolations } from '../helpers/browser';
import { fieldText, openAndFillForm, submitAndReadConfirmation, submitWithoutScript } from '../helpers/report-page';
import { canary, startReportScenario, type ReportScenario } from '../helpers/report-scenario';

let browser: Browser;
let scenario: ReportScenario;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  scenario = await startReportScenario({ env: { MAX_ATTACHMENT_BYTES: '2048' } });
});
afterAll(async () => {
  await scenario?.close();
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});

/**
 * axe is injected as an inline script, which the app's CSP would rightly block, and needs script
 * on. For the no-JavaScript path the page's own script is blocked instead, so the form posts natively.
 */
async function openPage(options: { pageScript: boolean }): Promise<Page> {
  context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  if (!options.pageScript) await page.route('**/assets/report-*.js', (route) => route.abort());
  return page;
}

async function expectNoSeriousViolations(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  if (violations.length > 0) console.log(`axe on ${page.url()}:\n${describeViolations(violations)}`);
  expect(violations.map((v) => v.id)).toEqual([]);
}

describe('the public pages have no serious or critical accessibility violations', () => {
  test.each(['/report', '/report?kind=security', '/report?kind=coc'])('%s', async (path) => {
    const page = await openPage({ pageScript: true });
    expect((await page.goto(`${scenario.server.url}${path}`))?.status()).toBe(200);
    await expectNoSeriousViolations(page);
  });

  test('a form that comes back with problems (no JavaScript)', async () => {
    const page = await openPage({ pageScript: false });
    await openAndFillForm(page, scenario.server.url, 'coc', { body: 'What happened.' });
    await page.setInputFiles('#f-attachments', {
      name: 'big.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(4096),
    });
    expect(await submitWithoutScript(page)).toBe(413);
    await expectNoSeriousViolations(page);
  });

  test('the confirmation page (no JavaScript)', async () => {
    const page = await openPage({ pageScript: false });
    await openAndFillForm(page, scenario.server.url, 'security', fieldText('security', canary('a11y')));
    await submitAndReadConfirmation(page);
    expect(new URL(page.url()).pathname).toMatch(/^\/report\/received\//);
    await expectNoSeriousViolations(page);
  });

  test('a form already sent, opened again (no JavaScript)', async () => {
    const page = await openPage({ pageScript: false });
    await openAndFillForm(page, scenario.server.url, 'coc', fieldText('coc', canary('a11y')));
    await submitAndReadConfirmation(page);
    await page.goBack();
    await page.locator('[data-already-received]').waitFor();
    await expectNoSeriousViolations(page);
  });

  test('the confirmation the page script shows (JavaScript on)', async () => {
    const page = await openPage({ pageScript: true });
    await openAndFillForm(page, scenario.server.url, 'coc', fieldText('coc', canary('a11y')));
    await submitAndReadConfirmation(page);
    expect(new URL(page.url()).searchParams.get('kind')).toBe('coc');
    await expectNoSeriousViolations(page);
  });

  test('control: the check does catch a serious violation', async () => {
    const page = await openPage({ pageScript: true });
    await page.goto(`${scenario.server.url}/report?kind=security`);
    await page.evaluate(() =>
      document.querySelector('form')!.append(Object.assign(document.createElement('input'), { type: 'text' })),
    );
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toContain('label');
  });
});
