// The no-JavaScript form in headless Chromium, sent the ways people really send it: with a reload
// of the confirmation, a double click, and back-and-send-again. Each makes exactly one case, and
// the receipt is shown exactly once.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { countCaseRows } from '../helpers/db';
import { openAndFillForm, submitAndReadConfirmation } from '../helpers/report-page';
import { RECEIPT_SHAPE, canary, startReportScenario, type ReportScenario } from '../helpers/report-scenario';
import { receiptLookupHash } from '../../crypto/receipt';

let browser: Browser;
let scenario: ReportScenario;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  scenario = await startReportScenario();
});
afterAll(async () => {
  await scenario?.close();
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});

async function noScriptPage(): Promise<Page> {
  context = await browser.newContext({ javaScriptEnabled: false });
  return context.newPage();
}

const cases = async (): Promise<number> => (await countCaseRows(scenario.db)).cases ?? 0;

async function receiptOpens(reference: string, receipt: string): Promise<boolean> {
  const row = await scenario.db
    .selectFrom('cases')
    .select('receipt_lookup')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.receipt_lookup).equals(Buffer.from(await receiptLookupHash(receipt)));
}

test('reloading the confirmation sends nothing again and shows the receipt no more', async () => {
  const page = await noScriptPage();
  const before = await cases();
  await openAndFillForm(page, scenario.server.url, 'coc', { body: `Reloaded ${canary('reload')}` });
  const { reference, receipt } = await submitAndReadConfirmation(page);
  expect(new URL(page.url()).pathname).toMatch(/^\/report\/received\//);
  expect(await receiptOpens(reference, receipt)).toBe(true);

  const requests: string[] = [];
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  await page.reload();
  expect(requests.filter((r) => r.startsWith('POST'))).toEqual([]);
  const main = await page.locator('main').innerText();
  expect(main).toContain('is not shown again');
  expect(main).not.toContain(receipt);
  expect(await page.locator('[data-receipt]').count()).toBe(0);
  expect(await cases()).toBe(before + 1);
});

test('a double click on "Encrypt and send" makes one case, and the page the reporter ends on shows its receipt', async () => {
  const page = await noScriptPage();
  const before = await cases();
  await openAndFillForm(page, scenario.server.url, 'security', { body: `Double click ${canary('dblclick')}` });
  // Two separate clicks, as an impatient person makes them, the second while the first post is on its
  // way: the first post reaches the server, which stores it, and its answer is held until the second
  // click. Chromium then drops the first navigation and posts the form again.
  let secondClick!: () => void;
  const clickedAgain = new Promise<void>((resolve) => (secondClick = resolve));
  let firstAnswered!: () => void;
  const firstStored = new Promise<void>((resolve) => (firstAnswered = resolve));
  let posts = 0;
  await page.route(
    (url) => url.pathname === '/report',
    async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts += 1;
      if (posts > 1) return route.continue();
      const answer = await route.fetch({ maxRedirects: 0 });
      firstAnswered();
      await clickedAgain;
      await route.fulfill({ response: answer }).catch(() => undefined); // dropped by then, as in the wild
    },
  );
  await page.locator('button[type=submit]').scrollIntoViewIfNeeded();
  const box = (await page.locator('button[type=submit]').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await firstStored;
  expect(await cases()).toBe(before + 1);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  secondClick();
  // Waiting for a navigation would fail on the dropped one: the test waits for the page the reporter ends on.
  await page.locator('[data-receipt], [data-already-received]').first().waitFor();
  expect(new URL(page.url()).pathname).toMatch(/^\/report\/received\//);
  const reference = (await page.locator('[data-reference]').innerText()).trim();
  const receipt = (await page.locator('[data-receipt]').innerText()).trim();
  expect(posts).toBe(2);
  expect(receipt).toMatch(RECEIPT_SHAPE);
  expect(await receiptOpens(reference, receipt)).toBe(true);
  expect(await cases()).toBe(before + 1);
});

test('back to the form after sending finds it sent; the same form sent again from another tab makes no second case', async () => {
  const page = await noScriptPage();
  const before = await cases();
  const text = `Back and again ${canary('back')}`;
  await openAndFillForm(page, scenario.server.url, 'coc', { body: text });
  const formUrl = page.url();
  // The same form open twice (a duplicated tab, or a page the browser kept): both carry one token.
  const twin = await context!.newPage();
  await twin.goto(formUrl);
  await twin.fill('#f-body', text);

  const { reference, receipt } = await submitAndReadConfirmation(page);
  await page.goBack();
  expect(page.url()).toBe(formUrl);
  const main = await page.locator('main').innerText();
  expect(main).toContain(reference);
  expect(main).toContain('sent nothing again');
  expect(main).not.toContain(receipt);
  expect(await page.locator('form[data-report-form]').count()).toBe(0);

  await twin.click('button[type=submit]');
  await twin.locator('[data-already-received]').waitFor();
  const again = await twin.locator('main').innerText();
  expect(again).toContain(reference);
  expect(again).not.toContain(receipt);
  expect(await cases()).toBe(before + 1);

  // Sending a new report is one click away, on a new, empty form.
  await page.getByRole('link', { name: 'send a new report' }).click();
  expect(await page.inputValue('#f-body')).toBe('');
  expect(page.url()).not.toBe(formUrl);
});

test('with JavaScript, sending again after the answer was lost on the way resends the same report: one case, and its receipt', async () => {
  context = await browser.newContext();
  const page = await context.newPage();
  const before = await cases();
  let lost = false;
  // The first post reaches the server and is stored, but its answer never reaches the page.
  await page.route('**/api/reports', async (route) => {
    if (lost) return route.continue();
    lost = true;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await openAndFillForm(page, scenario.server.url, 'coc', { body: `Answer lost ${canary('lost')}` });
  await page.click('button[type=submit]');
  await page.locator('#problems').waitFor();
  expect(await page.locator('#problems').innerText()).toContain('could not be reached');
  expect(await cases()).toBe(before + 1);

  const { reference, receipt } = await submitAndReadConfirmation(page);
  expect(await receiptOpens(reference, receipt)).toBe(true);
  expect(await cases()).toBe(before + 1);
});
