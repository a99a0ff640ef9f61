// The report form with JavaScript on, in headless Chromium: the browser encrypts, so no request it
// sends carries what the reporter typed, and what is stored decrypts with stock gpg for the readers
// the governance routes it to, and for nobody else.
import crypto from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DomainError } from '../../server/errors';
import { exportCaseForMember } from '../../server/cases/cases';
import { launchChromium, recordRequests, requestsContaining } from '../helpers/browser';
import { fixtureKey } from '../helpers/keys';
import { attachFile, fieldText, openAndFillForm, submitAndReadConfirmation } from '../helpers/report-page';
import {
  DEFAULT_MEMBERS,
  RECEIPT_SHAPE,
  canary,
  decryptCaseWithGpg,
  startReportScenario,
  type ReportScenario,
} from '../helpers/report-scenario';
import { newReferenceShape } from '../helpers/stored-case';

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page;
let scenario: ReportScenario | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
  await scenario?.close();
  context = scenario = undefined;
});

describe('with JavaScript on, the browser encrypts the report', () => {
  test('a security report: only ciphertext leaves the page, and the SRT decrypts text and attachment with gpg', async () => {
    scenario = await startReportScenario();
    const requests = recordRequests(page);
    const textCanary = canary('text');
    const fileCanary = canary('file');
    // Bytes that are not UTF-8 as well, so that a text round trip would show.
    const attachment = Buffer.concat([
      Buffer.from(`crash log ${fileCanary}\n`),
      crypto.randomBytes(64),
      Buffer.from([0, 0xff, 0xfe]),
    ]);

    const typed = fieldText('security', textCanary);
    await openAndFillForm(page, scenario.server.url, 'security', typed);
    await attachFile(page, `trace-${fileCanary}.bin`, attachment);
    const { reference, receipt } = await submitAndReadConfirmation(page);

    expect(reference).toMatch(newReferenceShape('SEC'));
    expect(receipt).toMatch(RECEIPT_SHAPE);

    const submission = requests.find((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/reports');
    expect(submission?.body?.length).toBeGreaterThan(attachment.length);
    // The search does find what a body holds: the armored ciphertext.
    expect(requestsContaining(requests, '-----BEGIN PGP MESSAGE-----')).toEqual([submission]);
    for (const secret of [textCanary, fileCanary, receipt]) expect(requestsContaining(requests, secret)).toEqual([]);
    const origin = new URL(scenario.server.url).origin;
    expect(requests.filter((r) => new URL(r.url).origin !== origin).map((r) => r.url)).toEqual([]);

    const messages = await decryptCaseWithGpg(scenario.db, reference, 'alice');
    expect(messages.map((m) => m.role)).toEqual(['report', 'attachment']);
    const report = messages[0]!.data.toString('utf8');
    for (const value of Object.values(typed)) expect(report).toContain(value);
    expect(messages[1]!.data.equals(attachment)).toBe(true);
  });

  test('a Code of Conduct report naming dave: carol can read it, dave cannot even export it', async () => {
    scenario = await startReportScenario({ members: [...DEFAULT_MEMBERS, ['erin', 'approver']] });
    const textCanary = canary('coc');
    await openAndFillForm(page, scenario.server.url, 'coc', fieldText('coc', textCanary));
    await page.getByLabel('Dave Approver', { exact: true }).check();
    const { reference, receipt } = await submitAndReadConfirmation(page);

    expect(reference).toMatch(newReferenceShape('COC'));
    expect(receipt).toMatch(RECEIPT_SHAPE);

    const dave = exportCaseForMember(scenario.db, reference, fixtureKey('dave').email);
    await expect(dave).rejects.toBeInstanceOf(DomainError);
    await expect(dave).rejects.toMatchObject({ kind: 'forbidden' });

    const readers = await scenario.db
      .selectFrom('case_readers')
      .innerJoin('members', 'members.id', 'case_readers.member_id')
      .select('members.email')
      .execute();
    expect(readers.map((r) => r.email).sort()).toEqual([fixtureKey('carol').email, fixtureKey('erin').email]);

    for (const name of ['carol', 'erin'] as const) {
      const [report, ...rest] = await decryptCaseWithGpg(scenario.db, reference, name);
      expect(rest).toEqual([]);
      const text = report!.data.toString('utf8');
      expect(text).toContain(`${textCanary}-body`);
      expect(text).toMatch(/marked as involved[^\n]*\n\n- Dave Approver\n/);
    }
  });
});
