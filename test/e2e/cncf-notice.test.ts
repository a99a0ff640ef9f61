// Issue 11 §4 end to end, in headless Chromium against the real app with outbound mail to a real
// SMTP peer: carol acknowledges a Code of Conduct case; the case page flags the incident notice for
// the CNCF central record as not sent and says what not to write; she writes it, her browser encrypts
// it to the committee's key, the committee's mailbox gets one PGP/MIME mail that gpg decrypts with
// the committee key, carrying nothing of the report, and the page shows it sent. She records a legal
// consultation with a note; the direct move to a long ban is refused with a pointer to the decision.
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { setCommitteeKey } from '../../server/governance/committee';
import { describeViolations, launchChromium, seriousAxeViolations } from '../helpers/browser';
import { memberInBrowser, moveCaseInBrowser, openCaseInBrowser } from '../helpers/dashboard-browser';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey } from '../helpers/keys';
import type { AuthTestServer } from '../helpers/member-auth';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';
import { canary } from '../helpers/report-scenario';

const SECRET = canary('cncf-notice');
const COMMITTEE = fixtureKey('frank');

let s: MailScenario;
let server: AuthTestServer;
let browser: Browser;
let committeeGpg: GnupgHome;
let page: Page;
let reference: string;

const db = () => s.database.db;

beforeAll(async () => {
  s = await startMailScenario({ members: [] });
  server = s.authServer;
  browser = await launchChromium();
  page = (await memberInBrowser(browser, db(), server, 'carol', 'approver')).page;
  await memberInBrowser(browser, db(), server, 'dave', 'approver', { withKey: false });
  await setCommitteeKey(db(), { email: COMMITTEE.email, armoredKey: COMMITTEE.publicKey });
  committeeGpg = await createGnupgHome();
  await committeeGpg.importKey(COMMITTEE.secretKey);
  reference = (await submitThroughForm(s.webUrl, { kind: 'coc', fields: fieldText('coc', SECRET), attachments: [] }))
    .reference;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await committeeGpg?.destroy();
  await s?.close();
});

async function mailTo(address: string) {
  const until = Date.now() + 30_000;
  for (;;) {
    const found = s.sink!.messages.filter((m) => m.to.includes(address));
    if (found.length > 0 || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a reader writes the incident notice on the case page; the committee decrypts it in gpg; the page shows it sent', async () => {
  await openCaseInBrowser(page, server.url, reference);
  await expect(page.locator('[data-cncf-notice="incident"]').getAttribute('data-state')).resolves.toBe('later');
  expect(await page.locator('[data-cncf-unsent]').count()).toBe(0);

  await moveCaseInBrowser(page, 'Acknowledged');
  await expect(page.locator('[data-cncf-unsent]').textContent()).resolves.toContain('Incident notice');
  const form = page.locator('form[data-cncf-notice-form="incident"]');
  await form.waitFor({ state: 'visible' });
  await expect(form.locator('.hint').textContent()).resolves.toMatch(/Do not write.*reporter.*witnesses/s);
  // The same page, checked by axe (which needs the page's CSP bypassed) in carol's session.
  const axeContext = await browser.newContext({ bypassCSP: true });
  await axeContext.addCookies(await page.context().cookies());
  const axePage = await axeContext.newPage();
  await axePage.goto(`${server.url}/dashboard/cases/${reference}`);
  await axePage.locator('form[data-cncf-notice-form="incident"]').waitFor({ state: 'visible' });
  expect(describeViolations(await seriousAxeViolations(axePage))).toBe(describeViolations([]));
  await axeContext.close();

  const summary = 'Insults in a project meeting; the accused is Mallory Example.';
  await form.locator('textarea').fill(summary);
  await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: /Encrypt and send/ }).click()]);

  const mail = await mailTo(COMMITTEE.email);
  expect(mail).toHaveLength(1);
  const raw = mail[0]!.raw;
  expect(raw.toString()).not.toContain(SECRET);
  expect(raw.toString()).not.toContain('Mallory');
  expect((await simpleParser(raw)).subject).toContain(reference);
  const block = raw.toString('utf8').match(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/)![0];
  const inner = await simpleParser(await committeeGpg.decrypt(block.replace(/\r\n/g, '\n')));
  expect(inner.text?.trim()).toBe(summary);

  const until = Date.now() + 30_000;
  let state = '';
  while (state !== 'sent' && Date.now() < until) {
    await page.goto(`${server.url}/dashboard/cases/${reference}`);
    state = (await page.locator('[data-cncf-notice="incident"]').getAttribute('data-state')) ?? '';
  }
  expect(state).toBe('sent');
  await expect(page.locator('[data-cncf-notice="incident"]').textContent()).resolves.toContain('written by Carol');
  expect(await page.locator('[data-cncf-unsent]').count()).toBe(0);
});

test('a legal consultation with an encrypted note is recorded; a long ban by a plain move is refused', async () => {
  await openCaseInBrowser(page, server.url, reference);
  const legal = page.locator('form[data-legal-form]');
  await legal.locator('#consultedOn').fill('2026-11-30');
  await legal.locator('#counsel').selectOption('lf-counsel');
  await legal.locator('#legal-note').fill('Counsel is fine with a one-year ban.');
  await Promise.all([
    page.waitForEvent('load'),
    legal.getByRole('button', { name: 'Record the consultation' }).click(),
  ]);
  await expect(page.locator('ul[data-legal-consultations]').textContent()).resolves.toContain(
    'The Linux Foundation’s counsel, on 2026-11-30',
  );
  await expect(page.locator('ul[data-legal-consultations]').textContent()).resolves.toContain(
    'its note is in the timeline',
  );

  await moveCaseInBrowser(page, 'Investigating');
  const resolve = page.locator('form.move', { has: page.locator('#resolution') });
  await resolve.locator('#resolution').selectOption('permanent-ban');
  await Promise.all([page.waitForEvent('load'), resolve.getByRole('button').click()]);
  await expect(page.locator('#resolution-problem').textContent()).resolves.toMatch(/legal consultation.*propose/s);
  await expect(page.locator('[data-status]').textContent()).resolves.toBe('Investigating');

  // Proposed instead, from the same section: the approvers decide it.
  const propose = page.locator('form#propose-resolve-coc');
  await propose.locator('#remedyResolution').selectOption('permanent-ban');
  await Promise.all([page.waitForEvent('load'), propose.getByRole('button', { name: 'Propose this remedy' }).click()]);
  await expect(page.locator('[data-proposal-title]').first().textContent()).resolves.toContain(
    'Resolve this case: permanent ban',
  );
});
