// The reporter's follow-up page with JavaScript, in headless Chromium, once retention deleted the
// case's content: the receipt still opens the page (found by its hash; there is no locked key left
// to unlock), which shows the reference, the status and the notice, with no reply box.
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../server/config';
import { addDays, retentionPolicy } from '../../server/retention/retention-rules';
import { runRetentionSweep } from '../../server/retention/retention-sweep';
import { launchChromium } from '../helpers/browser';
import { openFollowupInBrowser } from '../helpers/dashboard-browser';
import { recordingEvents, submitReport } from '../helpers/dashboard';
import { startReportScenario, type ReportScenario } from '../helpers/report-scenario';

let browser: Browser;
let scenario: ReportScenario;

beforeAll(async () => {
  browser = await launchChromium();
  scenario = await startReportScenario();
});
afterAll(async () => {
  await browser?.close();
  await scenario?.close();
});

test('the receipt opens the status page of a deleted case, which says the content is gone', async () => {
  const db = scenario.db;
  const report = await submitReport(db, 'security', 'Overflow in the decoder.');
  await db
    .updateTable('cases')
    .set({ status: 'out-of-scope', retention_started_at: sql<Date>`now() - interval '800 days'` })
    .where('id', '=', report.id)
    .execute();
  const policy = await retentionPolicy(db, loadConfig({ DATA_DIR: '/nonexistent' }));
  await runRetentionSweep(db, policy, recordingEvents(), new Date());
  expect((await runRetentionSweep(db, policy, recordingEvents(), addDays(new Date(), 8))).deleted).toEqual([report.id]);

  const page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await openFollowupInBrowser(page, scenario.server.url, report.receipt);
  const view = page.locator('[data-followup-view]');
  await expect(view.locator('h2').innerText()).resolves.toBe(`Your report ${report.reference}`);
  await expect(view.innerText()).resolves.toContain('Closed: it is outside this project’s scope');
  await expect(view.locator('[data-content-deleted]').innerText()).resolves.toMatch(
    /^The content of this report was deleted for good on \d{4}-\d{2}-\d{2}/,
  );
  expect(await view.locator('textarea').count()).toBe(0);
  expect(errors).toEqual([]);
});
