// DESIGN §2: "no stored XSS: decrypted content is always rendered as text". A report, a comment and
// a reply full of markup, javascript: links and markdown tricks show verbatim in the case view and
// on the reporter's follow-up page: no dialog, no element made from them. The pages run with their
// CSP bypassed, so that it is the rendering that is tested, not only the CSP behind it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import {
  caseMessages,
  importKeyInBrowser,
  openCaseInBrowser,
  openFollowupInBrowser,
  sendFromComposer,
  signInInBrowser,
} from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixtureKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { canary } from '../helpers/report-scenario';

const MARKER = canary('hostile');
const HOSTILE = [
  `Steps to reproduce ${MARKER}`,
  '<script>alert("script")</script>',
  '<img src=x onerror="alert(\'img\')">',
  '<svg onload=alert("svg")><circle r="9"/></svg>',
  '<iframe src="javascript:alert(\'iframe\')"></iframe>',
  '<a href="javascript:alert(\'link\')">click for details</a>',
  '[a markdown link](javascript:alert("md-link"))',
  '![a markdown image](x" onerror="alert(\'md-img\'))',
  '<details open ontoggle=alert("details")>',
  '</pre></li></ol><script>alert("break-out")</script><pre>',
  '<style>body { display: none }</style>',
  '{{ 7 * 7 }} {% raw %}${7*7}{% endraw %} &lt;b&gt;entity&lt;/b&gt; &amp;',
  '**bold** _em_ `code` <b>bold</b> <u>underline</u>',
].join('\n');
/** The elements the text names, which must not appear in the page because of it. */
const INJECTABLE =
  'script, img, svg, iframe, style, details, b, u, a[href^="javascript:" i], [onerror], [onload], [ontoggle]';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: EnrolledMember;
let hostileCase: { reference: string; receipt: string };

/** A page whose CSP is bypassed, that remembers (and dismisses) every dialog. */
async function newPage(): Promise<{ page: Page; dialogs: string[] }> {
  const context = await browser.newContext({ bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { page, dialogs };
}

/** How many elements of `selector` are inside `root` (or the whole page). */
function countIn(page: Page, root: string, selector: string): Promise<number> {
  return page.evaluate(([r, s]) => document.querySelector(r!)!.querySelectorAll(s!).length, [root, selector]);
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  alice = await enrolMember(t.db, server, 'alice', 'srt');
  await enrolMember(t.db, server, 'bob', 'srt');
  hostileCase = await submitReport(t.db, 'security', HOSTILE);
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

test('control: in these pages, markup that did reach the DOM would fire a dialog', async () => {
  const { page, dialogs } = await newPage();
  await page.goto(`${server.url}/signin`);
  await page.evaluate(() => {
    document.querySelector('main')!.insertAdjacentHTML('beforeend', '<img src=x onerror="alert(\'control\')">');
  });
  await page.waitForFunction(() => document.readyState === 'complete');
  await page.waitForTimeout(200);
  expect(dialogs).toEqual(['control']);
});

describe('in the case view', () => {
  let page: Page;
  let dialogs: string[];

  beforeAll(async () => {
    ({ page, dialogs } = await newPage());
    await signInInBrowser(page, server, alice);
    // An unprotected key, as GnuPG exports it without a passphrase: the page protects it with the one typed.
    await importKeyInBrowser(page, server.url, fixtureKey('alice').secretKey, 'a passphrase for this browser');
  });

  test('the report shows verbatim as text, and nothing in it runs or becomes an element', async () => {
    await openCaseInBrowser(page, server.url, hostileCase.reference);
    const [report] = await caseMessages(page);
    expect(report).toEqual({ role: 'report', text: HOSTILE });
    expect(await page.locator('[data-message] [data-content]').first().innerText()).toBe(HOSTILE);
    expect(await countIn(page, '[data-case-view]', INJECTABLE)).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });

  test('a comment and a reply written with the same text show the same way', async () => {
    await sendFromComposer(page, 'comment', HOSTILE);
    await sendFromComposer(page, 'reply', HOSTILE);
    expect(await caseMessages(page)).toEqual(['report', 'comment', 'reply'].map((role) => ({ role, text: HOSTILE })));
    expect(await countIn(page, '[data-case-view]', INJECTABLE)).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });
});

test('on the reporter’s follow-up page too, the report and the reply show as text', async () => {
  const { page, dialogs } = await newPage();
  await openFollowupInBrowser(page, server.url, hostileCase.receipt);
  const texts = await page.locator('[data-followup-view] pre').allInnerTexts();
  expect(texts).toEqual([HOSTILE, HOSTILE]);
  expect(await countIn(page, '[data-followup-view]', INJECTABLE)).toBe(0);
  await page.waitForTimeout(300);
  expect(dialogs).toEqual([]);
});

test('without JavaScript, the follow-up page the server decrypts shows them as text as well', async () => {
  const { page, dialogs } = await newPage();
  await page.route('**/assets/followup-*.js', (route) => route.abort());
  await page.goto(`${server.url}/followup`);
  await page.fill('#receipt', hostileCase.receipt);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('main pre').first().waitFor();
  expect(await page.locator('main pre').allInnerTexts()).toEqual([HOSTILE, HOSTILE]);
  expect(await countIn(page, 'main ol', INJECTABLE)).toBe(0);
  await page.waitForTimeout(300);
  expect(dialogs).toEqual([]);
});
