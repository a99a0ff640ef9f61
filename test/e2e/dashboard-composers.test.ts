// Issue 8 item 5, in headless Chromium: the internal note and the reply to the reporter are two
// composers apart — their own headings, boxes, colours and buttons, the note first — and a reply
// leaves only after a confirmation that names who will read it. Going back to editing sends nothing.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, recordRequests } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import { caseMessages, memberInBrowser, openCaseInBrowser, sendFromComposer } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixtureKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let security: { reference: string; id: string };

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  await enrolMember(t.db, server, 'bob', 'srt');
  ({ context, page } = await memberInBrowser(browser, t.db, server, 'alice', 'srt'));
  security = await submitReport(t.db, 'security', 'XXE in the SBOM importer.');
  await openCaseInBrowser(page, server.url, security.reference);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

const rolesStored = async () =>
  (
    await t.db.selectFrom('messages').select('role').where('case_id', '=', security.id).orderBy('created_at').execute()
  ).map((m) => m.role);

test('two composers, each with its own heading, box and button, the note first and the reply apart', async () => {
  const note = page.locator('form[data-composer="comment"]');
  const reply = page.locator('form[data-composer="reply"]');
  expect(await note.getByRole('heading').innerText()).toBe('Internal note for responders');
  expect(await reply.getByRole('heading').innerText()).toBe('Reply to the reporter');
  expect(await note.getByRole('button').allInnerTexts()).toEqual(['Add internal note']);
  expect(await reply.getByRole('button', { name: 'Send to the reporter…' }).count()).toBe(1);
  expect(await note.locator('.hint').innerText()).toContain('The reporter never sees it.');
  expect(await reply.locator('.hint').innerText()).toContain('The reporter reads this');

  // Apart on the page: the note's box ends before the reply's begins, with room between.
  const [n, r] = [(await note.boundingBox())!, (await reply.boundingBox())!];
  expect(n.y + n.height).toBeLessThan(r.y);
  // Told apart at a glance: different borders and backgrounds, and the send buttons differ in colour.
  const look = (selector: string) =>
    page.locator(selector).evaluate((el) => {
      const s = getComputedStyle(el);
      return `${s.borderTopStyle} ${s.borderTopColor} ${s.backgroundColor}`;
    });
  expect(await look('form[data-composer="comment"]')).not.toBe(await look('form[data-composer="reply"]'));
  expect(await look('form[data-composer="comment"] > button')).not.toBe(
    await look('form[data-composer="reply"] > button'),
  );
});

test('a reply asks first, naming the reporter and the readers; "keep editing" sends nothing and keeps the text', async () => {
  const requests = recordRequests(page);
  const reply = page.locator('form[data-composer="reply"]');
  await reply.locator('textarea').fill('Meant as an internal note');
  await reply.getByRole('button', { name: 'Send to the reporter…' }).click();
  const dialog = reply.getByRole('dialog');
  await dialog.waitFor();
  expect(await dialog.getByRole('heading').innerText()).toBe('Send this to the reporter?');
  expect(await dialog.locator('[data-reply-audience]').innerText()).toBe(
    `The reporter and the 2 readers of this case (${fixtureKey('alice').displayName}, ${fixtureKey('bob').displayName}) will read it.`,
  );
  // The safe answer has the focus: pressing Enter does not send.
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('No, keep editing');
  await dialog.getByRole('button', { name: 'No, keep editing' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect(await reply.locator('textarea').inputValue()).toBe('Meant as an internal note');
  expect(await reply.locator('[data-composer-status]').innerText()).toBe('Not sent. Your text is still here.');

  // Escape closes it the same way.
  await reply.getByRole('button', { name: 'Send to the reporter…' }).click();
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
  expect(await rolesStored()).toEqual(['report']);
});

test('the note goes to the readers only; the confirmed reply to the reporter too', async () => {
  await sendFromComposer(page, 'comment', 'Internal: reproduced on main.');
  await sendFromComposer(page, 'reply', 'Thank you, we reproduced it.');
  expect(await rolesStored()).toEqual(['report', 'comment', 'reply']);
  expect((await caseMessages(page)).slice(1)).toEqual([
    { role: 'comment', text: 'Internal: reproduced on main.' },
    { role: 'reply', text: 'Thank you, we reproduced it.' },
  ]);
  const reporterPackets = await t.db
    .selectFrom('session_keys')
    .innerJoin('messages', 'messages.id', 'session_keys.message_id')
    .select(['messages.role'])
    .where('messages.case_id', '=', security.id)
    .where('session_keys.member_key_id', 'is', null)
    .execute();
  expect(reporterPackets.map((p) => p.role).sort()).toEqual(['reply', 'report']);
});
