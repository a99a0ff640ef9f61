// axe-core on the pages members and reporters use after the report form: the invitation steps,
// sign-in, the case list, a case (decrypted), the key page, and /followup before and after it opens.
// No serious or critical violations, in the states people see the pages in.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeViolations, launchChromium, seriousAxeViolations } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import { inviteMember } from '../../server/auth/invitations';
import {
  enrolInBrowser,
  importKeyInBrowser,
  openCaseInBrowser,
  openFollowupInBrowser,
  protectedFixtureKey,
  signInInBrowser,
} from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import {
  STRONG_PASSWORD,
  enrolMember,
  startAuthServer,
  type AuthTestServer,
  type EnrolledMember,
} from '../helpers/member-auth';

const PASSPHRASE = 'an accessible passphrase 7';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let security: { reference: string; receipt: string };
let aliceId: string;
let bob: EnrolledMember;

/** axe is injected inline, which the app's CSP rightly blocks: these contexts bypass it. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: true });
  contexts.push(context);
  return context.newPage();
}

async function expectNoSeriousViolations(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  if (violations.length > 0) console.log(`axe on ${page.url()}:\n${describeViolations(violations)}`);
  expect(violations.map((v) => v.id)).toEqual([]);
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  bob = await enrolMember(t.db, server, 'bob', 'srt');
  aliceId = (await addFixtureMember(t.db, 'alice', 'srt')).id;
  security = await submitReport(t.db, 'security', 'The archive reader follows symlinks out of the target directory.');
  await submitReport(t.db, 'security', 'A second report, so that the list has rows to sort.');
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

test('the sign-in page, as it first shows and with a problem', async () => {
  const page = await newPage();
  expect((await page.goto(`${server.url}/signin`))?.status()).toBe(200);
  await expectNoSeriousViolations(page);
  await page.fill('#f-email', fixtureKey('bob').email);
  await page.fill('#f-password', `${STRONG_PASSWORD} wrong`);
  await page.fill('#f-code', '000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#problems').waitFor();
  await expectNoSeriousViolations(page);
});

test('the invitation steps as they come back with problems', async () => {
  const page = await newPage();
  const carol = await addFixtureMember(t.db, 'carol', 'approver');
  const { link } = await inviteMember(t.db, carol.email, { publicUrl: server.url });
  await page.goto(link);
  await page.fill('#f-password', STRONG_PASSWORD);
  await page.fill('#f-confirmation', `${STRONG_PASSWORD} but different`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('#problems').waitFor();
  await expectNoSeriousViolations(page);

  await page.fill('#f-password', STRONG_PASSWORD);
  await page.fill('#f-confirmation', STRONG_PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('[data-totp-secret]').waitFor();
  await page.fill('#f-code', '000000');
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await page.locator('#problems').waitFor();
  await expectNoSeriousViolations(page);
});

describe('a member’s pages', () => {
  let page: Page;

  beforeAll(async () => {
    page = await newPage();
  });

  test('the invitation steps: password, authenticator, recovery codes', async () => {
    const scanned: string[] = [];
    await enrolInBrowser(page, t.db, server, { id: aliceId, email: fixtureKey('alice').email }, async (step) => {
      scanned.push(step);
      await expectNoSeriousViolations(page);
    });
    expect(scanned).toEqual(['password', 'authenticator', 'recovery-codes']);
  });

  test('the case list', async () => {
    expect((await page.goto(`${server.url}/dashboard`))?.status()).toBe(200);
    expect(await page.locator('tr[data-case]').count()).toBe(2);
    await expectNoSeriousViolations(page);
  });

  test('the key page, before a key is imported and once it is unlocked', async () => {
    await page.goto(`${server.url}/dashboard/key`);
    await page.locator('form[data-import]').waitFor({ state: 'visible' });
    await expectNoSeriousViolations(page);
    await importKeyInBrowser(page, server.url, await protectedFixtureKey('alice', PASSPHRASE), PASSPHRASE);
    await expectNoSeriousViolations(page);
  });

  test('a case, locked and then decrypted with the composer shown', async () => {
    const locked = await newPage();
    await locked.context().addCookies(await page.context().cookies());
    await openCaseInBrowser(locked, server.url, security.reference);
    expect(await locked.locator('[data-key-status]').innerText()).toMatch(/locked/);
    await expectNoSeriousViolations(locked);

    await openCaseInBrowser(page, server.url, security.reference);
    expect(await page.locator('form[data-composer]:visible').count()).toBe(2);
    await expectNoSeriousViolations(page);
    // The raw audit rows opened, and the reply's confirmation dialog.
    await page.getByText('Show the raw audit rows').click();
    await page.locator('form[data-composer="reply"] textarea').fill('A reply');
    await page.getByRole('button', { name: 'Send to the reporter…' }).click();
    await page.getByRole('dialog').waitFor();
    await expectNoSeriousViolations(page);
    await page.getByRole('button', { name: 'No, keep editing' }).click();
  });

  test('a refused triage form, and the confirmation a closing move asks for', async () => {
    await page.goto(`${server.url}/dashboard/cases/${security.reference}`);
    await page.fill('#vector', 'CVSS:3.1/AV:N');
    await page.getByRole('button', { name: 'Save severity' }).click();
    await page.locator('#vector-problem').waitFor();
    await expectNoSeriousViolations(page);
    await page.goto(`${server.url}/dashboard/cases/${security.reference}`);
    await page.getByRole('button', { name: 'Closed: spam', exact: true }).click();
    await page.locator('[data-confirm-close]').waitFor();
    await expectNoSeriousViolations(page);
  });
});

test('the account page, and the page of a case that is not there', async () => {
  const page = await newPage();
  await signInInBrowser(page, server, bob);
  expect((await page.goto(`${server.url}/account`))?.status()).toBe(200);
  await expectNoSeriousViolations(page);
  expect((await page.goto(`${server.url}/dashboard/cases/SEC-2099-9999`))?.status()).toBe(404);
  await expectNoSeriousViolations(page);
});

test('/followup, before and after it opens', async () => {
  const page = await newPage();
  expect((await page.goto(`${server.url}/followup`))?.status()).toBe(200);
  await expectNoSeriousViolations(page);
  await openFollowupInBrowser(page, server.url, security.receipt);
  await expectNoSeriousViolations(page);
});

test('/followup without JavaScript: a wrong receipt, and the case the server opens', async () => {
  const page = await newPage();
  await page.route('**/assets/followup-*.js', (route) => route.abort());
  await page.goto(`${server.url}/followup`);
  await page.fill('#receipt', 'not a receipt');
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('#problems').waitFor();
  await expectNoSeriousViolations(page);
  await page.fill('#receipt', security.receipt);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('#answer').waitFor();
  await expectNoSeriousViolations(page);
});
