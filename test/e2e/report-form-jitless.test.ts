// The report and follow-up pages in a browser without JIT, as Tor Browser at "Safer" runs them:
// Chromium with V8's --jitless, where WebAssembly (and with it OpenPGP.js's Argon2) does not exist.
// The reporter gets a receipt with only ciphertext sent, or is told, before anything typed leaves
// the browser, that the server's path takes over; and then that path does.
import crypto from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { isLockedWithArgon2 } from '../../crypto/reporter-key';
import {
  describeViolations,
  launchChromium,
  recordRequests,
  seriousAxeViolations,
  type RecordedRequest,
} from '../helpers/browser';
import { attachFile, fieldText, openAndFillForm, submitAndReadConfirmation } from '../helpers/report-page';
import { expectNoneContain, receiptForms } from '../helpers/request-leaks';
import { submitThroughApi } from '../helpers/report-client';
import {
  RECEIPT_SHAPE,
  canary,
  decryptCaseWithGpg,
  startReportScenario,
  type ReportScenario,
} from '../helpers/report-scenario';

let browser: Browser;
let context: BrowserContext | undefined;
let scenario: ReportScenario | undefined;

beforeAll(async () => {
  browser = await launchChromium({ jitless: true });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await scenario?.close();
  context = scenario = undefined;
});

async function openPage(initScript?: string, on: Browser = browser): Promise<Page> {
  // bypassCSP only lets axe-core be injected; the pages' own scripts are loaded from files either way.
  context = await on.newContext({ bypassCSP: true });
  if (initScript) await context.addInitScript(initScript);
  return context.newPage();
}

const notice = (page: Page) => page.locator('[data-handover]');

async function lockedKeyOf(reference: string): Promise<string> {
  const row = await scenario!.db
    .selectFrom('cases')
    .select('reporter_locked_key')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  return row.reporter_locked_key!;
}

function posts(requests: readonly RecordedRequest[], pathname: string): RecordedRequest[] {
  return requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === pathname);
}

describe('without JIT and WebAssembly, the browser still encrypts', () => {
  test('a security report with an attachment: receipt within 20 s, only ciphertext sent, and the follow-up page opens it here', async () => {
    scenario = await startReportScenario();
    const page = await openPage();
    expect(await page.evaluate(() => typeof (globalThis as { WebAssembly?: unknown }).WebAssembly)).toBe('undefined');
    const requests = recordRequests(page);
    const textCanary = canary('jitless');
    const fileCanary = canary('jitless-file');
    const attachment = Buffer.concat([Buffer.from(`log ${fileCanary}\n`), crypto.randomBytes(256 * 1024)]);
    const typed = fieldText('security', textCanary);

    await openAndFillForm(page, scenario.server.url, 'security', typed);
    await attachFile(page, 'capture.bin', attachment);
    await page.click('button[type=submit]');
    await page.locator('[data-reference]').waitFor({ timeout: 20_000 });
    const reference = (await page.locator('[data-reference]').innerText()).trim();
    const receipt = (await page.locator('[data-receipt]').innerText()).trim();
    expect(receipt).toMatch(RECEIPT_SHAPE);
    expect(await notice(page).count()).toBe(0); // the form was replaced without a hand-over

    expect(posts(requests, '/api/reports')).toHaveLength(1);
    expect(posts(requests, '/report')).toEqual([]);
    const origin = new URL(scenario.server.url).origin;
    expectNoneContain(requests, [textCanary, fileCanary, ...receiptForms(receipt)], origin);

    const [report, file, ...rest] = await decryptCaseWithGpg(scenario.db, reference, 'alice');
    expect(rest).toEqual([]);
    for (const value of Object.values(typed)) expect(report!.data.toString('utf8')).toContain(value);
    expect(file!.data.equals(attachment)).toBe(true);
    // Locked with the S2K that needs no WebAssembly, so this browser can open it again.
    expect(await isLockedWithArgon2(await lockedKeyOf(reference))).toBe(false);

    await page.goto(`${scenario.server.url}/followup`);
    await page.fill('#receipt', receipt);
    await page.click('button[type=submit]');
    await page.locator('[data-followup-view] pre.content').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-followup-view]').innerText()).toContain(`${textCanary}-body`);
    expect(await notice(page).isVisible()).toBe(false);
    expectNoneContain(requests, [textCanary, fileCanary, ...receiptForms(receipt)], origin);
  });
});

describe('where it cannot, it says so before anything typed is sent, and the server path takes over', () => {
  test('a browser without WebCrypto is told on arrival; the form then goes to POST /report and gets the no-JS confirmation', async () => {
    scenario = await startReportScenario();
    const page = await openPage("Object.defineProperty(globalThis.crypto, 'subtle', { get: () => undefined });");
    const requests = recordRequests(page);
    const textCanary = canary('no-webcrypto');
    const typed = fieldText('security', textCanary);

    await openAndFillForm(page, scenario.server.url, 'security', typed);
    await expect(notice(page).isVisible()).resolves.toBe(true);
    expect(await notice(page).innerText()).toMatch(
      /cannot encrypt your report here[\s\S]*Web Cryptography API[\s\S]*encrypts your report on arrival/,
    );
    expect(await page.locator('button[type=submit]').innerText()).toBe('Send to be encrypted on arrival');
    const shownAt = requests.length;
    const violations = await seriousAxeViolations(page);
    expect(describeViolations(violations)).toBe('');

    const { reference, receipt } = await submitAndReadConfirmation(page);
    expect(receipt).toMatch(RECEIPT_SHAPE);
    expectNoneContain(requests.slice(0, shownAt), [textCanary], scenario.server.url);
    expect(posts(requests, '/api/reports')).toEqual([]);
    expect(posts(requests, '/report')).toHaveLength(1);
    const [report] = await decryptCaseWithGpg(scenario.db, reference, 'bob');
    expect(report!.data.toString('utf8')).toContain(`${textCanary}-body`);
  });

  test('a step that never finishes ends in the hand-over, not a silent wait; nothing is sent until the reporter sends again', async () => {
    scenario = await startReportScenario();
    // Every digest WebCrypto is asked for hangs, as a broken or throttled runtime might.
    const page = await openPage('SubtleCrypto.prototype.digest = () => new Promise(() => {});');
    await page.clock.install();
    const requests = recordRequests(page);
    const textCanary = canary('hang');
    await openAndFillForm(page, scenario.server.url, 'coc', fieldText('coc', textCanary));
    expect(await notice(page).isVisible()).toBe(false);

    await page.click('button[type=submit]');
    await page.getByText('encrypting your report in this browser').waitFor();
    for (let i = 0; i < 10 && !(await notice(page).isVisible()); i++) await page.clock.fastForward(21_000);
    expect(await notice(page).innerText()).toMatch(/did not finish within 20 seconds/);
    expect(await page.inputValue('#f-body')).toBe(`${fieldText('coc', textCanary).body}`);
    const shownAt = requests.length;
    expectNoneContain(requests, [textCanary], scenario.server.url);
    expect(posts(requests, '/api/reports')).toEqual([]);

    const { reference } = await submitAndReadConfirmation(page);
    expect(requests.slice(shownAt).some((r) => r.body?.includes(Buffer.from(textCanary)))).toBe(true);
    expect(posts(requests, '/report')).toHaveLength(1);
    const [report] = await decryptCaseWithGpg(scenario.db, reference, 'carol');
    expect(report!.data.toString('utf8')).toContain(`${textCanary}-body`);
  });

  test('a follow-up whose key is locked with Argon2 hands over to the server only after saying so', async () => {
    scenario = await startReportScenario();
    const textCanary = canary('argon2-case');
    const { reference, receipt } = await submitThroughApi(scenario.server.url, {
      kind: 'security',
      fields: {},
      attachments: [],
      document: `What I found: ${textCanary}`,
    });
    expect(await isLockedWithArgon2(await lockedKeyOf(reference))).toBe(true);
    const page = await openPage();
    const requests = recordRequests(page);

    await page.goto(`${scenario.server.url}/followup`);
    await page.fill('#receipt', receipt);
    await page.click('button[type=submit]');
    await notice(page).waitFor({ timeout: 20_000 });
    expect(await notice(page).innerText()).toMatch(
      /Argon2[\s\S]*WebAssembly switched off[\s\S]*receipt goes to our server/,
    );
    expectNoneContain(requests, receiptForms(receipt), scenario.server.url);

    await Promise.all([
      page.waitForURL(`${scenario.server.url}/followup`),
      page.getByRole('button', { name: 'Open on the server' }).click(),
    ]);
    await page.getByRole('heading', { name: `Your report ${reference}` }).waitFor();
    expect(await page.locator('pre.content').first().innerText()).toContain(textCanary);
    expect(posts(requests, '/followup')).toHaveLength(1);
  });
});

describe('with JIT, where WebAssembly is there but never answers', () => {
  let withJit: Browser;
  beforeAll(async () => {
    withJit = await launchChromium();
  });
  afterAll(async () => {
    await withJit?.close();
  });

  test('Argon2 that hangs gives way to the lock that needs no WebAssembly, and the report is still encrypted here', async () => {
    scenario = await startReportScenario();
    const hang = ['instantiate', 'instantiateStreaming', 'compile', 'compileStreaming'].map(
      (name) => `WebAssembly.${name} = () => new Promise(() => {});`,
    );
    const page = await openPage(hang.join('\n'), withJit);
    // An hour behind, so that the fast-forwarded clock never makes a key the server sees as not yet valid.
    await page.clock.install({ time: Date.now() - 3_600_000 });
    const requests = recordRequests(page);
    const textCanary = canary('wasm-hang');
    await openAndFillForm(page, scenario.server.url, 'security', fieldText('security', textCanary));
    await page.click('button[type=submit]');
    await page.getByText('encrypting your report in this browser').waitFor();
    // One Argon2 budget at a time, with real time between for the work that does finish.
    const answer = page.locator('[data-reference], #problems, [data-handover]:visible');
    for (let i = 0; i < 10 && !(await answer.count()); i++) {
      await page.clock.fastForward(11_000);
      await answer
        .first()
        .waitFor({ timeout: 1_000 })
        .catch(() => undefined);
    }
    expect(await page.locator('main').innerText()).toContain('Your report was received');
    const reference = (await page.locator('[data-reference]').innerText()).trim();
    expect(await isLockedWithArgon2(await lockedKeyOf(reference))).toBe(false);
    expect(posts(requests, '/report')).toEqual([]);
    expectNoneContain(requests, [textCanary], scenario.server.url);
    const [report] = await decryptCaseWithGpg(scenario.db, reference, 'alice');
    expect(report!.data.toString('utf8')).toContain(`${textCanary}-body`);
  });
});
