// The public pages as the person who uses them reads them, in headless Chromium: the Code of
// Conduct form reassures first and asks about involved approvers before anything else, the
// security form gives scope, safe harbour and what to include, the technical notes are one click
// away, both confirmations say the same things, the follow-up page calls the reporter's own
// message "Your message", and the header's links never wrap at 1280 px.
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { openFollowupInBrowser } from '../helpers/dashboard-browser';
import { fieldText, openAndFillForm, submitAndReadConfirmation } from '../helpers/report-page';
import { submitThroughForm } from '../helpers/report-client';
import { canary, startReportScenario, type ReportScenario } from '../helpers/report-scenario';

const ENV = {
  CODE_OF_CONDUCT_URL: 'https://example.org/our-code-of-conduct',
  COC_COMMITTEE_URL: 'https://example.org/the-committee',
  COC_COMMITTEE_EMAIL: 'committee@example.org',
  ACK_DAYS_COC: '4',
  ACK_DAYS_SECURITY: '5',
};

let browser: Browser;
let scenario: ReportScenario;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  scenario = await startReportScenario({ env: ENV });
});
afterAll(async () => {
  await scenario?.close();
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});

async function openPage(options: BrowserContextOptions = {}): Promise<Page> {
  context = await browser.newContext(options);
  return context.newPage();
}

describe('the Code of Conduct form', () => {
  test('reassures first, links the Code of Conduct and the CNCF committee as configured, and folds the technical notes away', async () => {
    const page = await openPage();
    await page.goto(`${scenario.server.url}/report?kind=coc`);
    const lead = await page.locator('main').innerText();
    expect(lead).toContain('the approvers, the people who govern Kmesh (Carol Approver, Dave Approver)');
    expect(lead).toContain('The person you report is not told who reported them.');
    expect(lead).toContain('we acknowledge your report within 4 business days');
    expect(await page.getByRole('link', { name: 'Code of Conduct', exact: true }).getAttribute('href')).toBe(
      ENV.CODE_OF_CONDUCT_URL,
    );
    expect(await page.getByRole('link', { name: ENV.COC_COMMITTEE_EMAIL }).getAttribute('href')).toBe(
      `mailto:${ENV.COC_COMMITTEE_EMAIL}`,
    );
    expect(await page.getByRole('link', { name: 'about the committee' }).getAttribute('href')).toBe(
      ENV.COC_COMMITTEE_URL,
    );

    const technical = page.getByText('It is encrypted with OpenPGP');
    expect(await technical.isVisible()).toBe(false);
    await page.getByText('How your report is protected').click();
    expect(await technical.isVisible()).toBe(true);
  });

  test('asks "Is any approver involved?" before any other field, within the first phone screen and a half', async () => {
    const page = await openPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${scenario.server.url}/report?kind=coc`);
    const firstField = await page.locator('form[data-report-form] :is(fieldset, .field)').first();
    expect(await firstField.locator('legend').innerText()).toBe('Is any approver involved?');
    expect(
      await page.locator('form[data-report-form] :is(input:not([type=hidden]), textarea)').first().getAttribute('name'),
    ).toBe('involved');
    const top = (await firstField.boundingBox())!.y;
    expect(top).toBeLessThan(844 * 1.5);
  });
});

test('the security form gives its scope, the safe harbour and what to include, with the technical notes folded', async () => {
  const page = await openPage();
  await page.goto(`${scenario.server.url}/report?kind=security`);
  for (const heading of ['What to report here', 'Safe harbour', 'What to include']) {
    expect(await page.getByRole('heading', { name: heading }).isVisible()).toBe(true);
  }
  expect(
    await page.getByText('we will not pursue or support legal action against you', { exact: false }).isVisible(),
  ).toBe(true);
  expect(await page.locator('main').innerText()).toContain('We acknowledge it within 5 business days');
  expect(await page.getByText('It is encrypted with OpenPGP').isVisible()).toBe(false);
});

test('the confirmations with and without JavaScript say the same things, the acknowledgement promise included', async () => {
  const texts: string[] = [];
  for (const javaScriptEnabled of [true, false]) {
    const page = await openPage({ javaScriptEnabled });
    await openAndFillForm(page, scenario.server.url, 'coc', fieldText('coc', canary(`same-${javaScriptEnabled}`)));
    const { reference, receipt } = await submitAndReadConfirmation(page);
    const text = await page.locator('main').innerText();
    texts.push(text.replace(reference, 'REFERENCE').replace(receipt, 'RECEIPT'));
    await context!.close();
  }
  expect(texts[0]).toContain('We will acknowledge it within 4 business days');
  expect(texts[0]).toContain('Follow up on a report');
  expect(texts[0]).toBe(texts[1]);
});

test('the follow-up page calls the reporter\'s own message "Your message", with and without JavaScript', async () => {
  const report = await submitThroughForm(scenario.server.url, {
    kind: 'security',
    fields: { body: 'Initial report' },
    attachments: [],
  });
  const message = `A further detail ${canary('msg')}`;

  const plain = await openPage({ javaScriptEnabled: false });
  await plain.goto(`${scenario.server.url}/followup`);
  await plain.fill('#receipt', report.receipt);
  await plain.getByRole('button', { name: 'Open my report' }).click();
  await plain.fill('#answer', message);
  await plain.getByRole('button', { name: 'Encrypt and send' }).click();
  await plain.getByText('Your message was encrypted and sent.').waitFor();
  const plainItem = plain.locator('.timeline li', { hasText: message });
  expect(await plainItem.locator('.meta').innerText()).toMatch(/^Your message · /);
  expect(await plain.locator('.timeline .meta').first().innerText()).toMatch(/^Your report · /);
  await context!.close();

  const scripted = await openPage();
  await openFollowupInBrowser(scripted, scenario.server.url, report.receipt);
  const scriptedItem = scripted.locator('.timeline li', { hasText: message });
  expect(await scriptedItem.locator('.meta').innerText()).toMatch(/^Your message · /);
});

test('at 1280 px every header link, "Follow up on a report" included, stays on one line', async () => {
  const page = await openPage({ viewport: { width: 1280, height: 800 } });
  for (const path of ['/report', '/report?kind=coc', '/followup']) {
    await page.goto(`${scenario.server.url}${path}`);
    const lines = await page
      .locator('header.site a')
      .evaluateAll((links) => links.map((a) => [a.textContent, a.getClientRects().length]));
    expect(lines).toContainEqual(['Follow up on a report', 1]);
    for (const [, count] of lines) expect(count).toBe(1);
  }
});
