// Issue 8 item 10, in headless Chromium: a key unlocked in one tab reads cases in every other tab of
// the same browser and sign-in session, handed over wrapped (never in the clear, never to the
// server, never to storage unencrypted); signing out locks it in every tab, and so does a session
// that ended for idleness: signed in anew, the key must be unlocked again.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, recordRequests } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import {
  caseMessages,
  memberInBrowser,
  openCaseInBrowser,
  signInInBrowser,
  unlockKeyInBrowser,
} from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixtureKey } from '../helpers/keys';
import { startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { expectNoPrivateKey } from '../helpers/request-leaks';

const PASSPHRASE = 'tabs share one unlock 9';
const REPORT = 'Race in the upload finaliser.';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
let context: BrowserContext;
let first: Page;
let alice: EnrolledMember;
let security: { reference: string };
const requests: ReturnType<typeof recordRequests>[] = [];

async function newTab(): Promise<Page> {
  const page = await context.newPage();
  requests.push(recordRequests(page));
  return page;
}

const keyStatus = (page: Page) => page.locator('[data-key-status]').innerText();

/** Everything this origin keeps in the tab's sessionStorage and in IndexedDB, as text. */
async function storedText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const session = JSON.stringify({ ...sessionStorage });
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('intake-keyring', 1);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const values = await new Promise<unknown[]>((resolve) => {
      const request = db.transaction('keys').objectStore('keys').getAll();
      request.onsuccess = () => resolve(request.result as unknown[]);
    });
    return `${session}\n${values.map((v) => (typeof v === 'string' ? v : Object.prototype.toString.call(v))).join('\n')}`;
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db, { SESSION_IDLE_MINUTES: '30' });
  browser = await launchChromium();
  ({
    context,
    page: first,
    member: alice,
  } = await memberInBrowser(browser, t.db, server, 'alice', 'srt', { passphrase: PASSPHRASE }));
  requests.push(recordRequests(first));
  security = await submitReport(t.db, 'security', REPORT);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

test('a tab opened after the unlock reads the case without asking for the passphrase', async () => {
  const second = await newTab();
  await openCaseInBrowser(second, server.url, security.reference);
  expect(await keyStatus(second)).toBe('Decrypted in this browser with your key.');
  expect((await caseMessages(second))[0]!.text).toContain(REPORT);

  // The first tab may close: the second hands the key on to a third.
  await first.close();
  const third = await newTab();
  await openCaseInBrowser(third, server.url, security.reference);
  expect((await caseMessages(third))[0]!.text).toContain(REPORT);
});

test('what the tabs keep is wrapped: no private key in the clear in sessionStorage or IndexedDB, none sent', async () => {
  const tab = context.pages().at(-1)!;
  const stored = await storedText(tab);
  expect(stored).toContain('"intake.unlocked-key"');
  // The fixture's unprotected secret key: no line of its armored body is stored anywhere.
  const secretLines = fixtureKey('alice')
    .secretKey.split('\n')
    .filter((line) => line.length >= 60);
  expect(secretLines.length).toBeGreaterThan(0);
  for (const line of secretLines) expect(stored).not.toContain(line);
  for (const recorded of requests)
    await expectNoPrivateKey(recorded, 'alice', {
      armoredKeys: [fixtureKey('alice').secretKey],
      passphrase: PASSPHRASE,
      origin: server.url,
    });
});

test('a tab that opened while the key was locked reads the case once it is unlocked in another tab', async () => {
  for (const page of context.pages()) await page.close();
  const locked = await newTab();
  await openCaseInBrowser(locked, server.url, security.reference);
  // No tab holds the key any more: it is locked.
  expect(await keyStatus(locked)).toMatch(/locked/);
  const unlocking = await newTab();
  await unlockKeyInBrowser(unlocking, server.url, PASSPHRASE);
  await locked.locator('[data-key-status]', { hasText: 'Decrypted in this browser with your key.' }).waitFor();
  expect((await caseMessages(locked))[0]!.text).toContain(REPORT);
});

test('signing out in one tab locks the key in every tab, and a new session must unlock it again', async () => {
  const [reading, other] = context.pages().slice(-2) as [Page, Page];
  await other.goto(`${server.url}/dashboard`);
  await other.getByRole('button', { name: 'Sign out' }).click();
  await other.waitForURL(`${server.url}/signin?signed-out=1`);
  await reading.locator('[data-key-status]', { hasText: 'locked' }).waitFor();
  expect(new Set(await reading.locator('[data-content]').allInnerTexts())).toEqual(
    new Set(['Locked: your key was locked in another tab.']),
  );

  await signInInBrowser(other, server, alice);
  const fresh = await newTab();
  await openCaseInBrowser(fresh, server.url, security.reference);
  expect(await keyStatus(fresh)).toMatch(/locked/);
});

test('after the session ends for idleness, signing in again finds the key locked in every tab', async () => {
  const [holder] = context.pages().slice(-1) as [Page];
  await unlockKeyInBrowser(holder, server.url, PASSPHRASE);
  const reader = await newTab();
  await openCaseInBrowser(reader, server.url, security.reference);
  expect(await keyStatus(reader)).toBe('Decrypted in this browser with your key.');

  server.clock.advance(31 * 60_000);
  await reader.goto(`${server.url}/dashboard/cases/${security.reference}`);
  expect(new URL(reader.url()).pathname).toBe('/signin');
  await signInInBrowser(reader, server, alice);
  await openCaseInBrowser(reader, server.url, security.reference);
  expect(await keyStatus(reader)).toMatch(/locked/);
  // The tab that still holds the key from the ended session hands nothing to the new one.
  const another = await newTab();
  await openCaseInBrowser(another, server.url, security.reference);
  expect(await keyStatus(another)).toMatch(/locked/);
});
