// The liaison's composer in headless Chromium (issue 10 §5): a liaison writes a comment or "the
// committee's decision", encrypted in its browser to the case's readers; with "the committee has
// closed its case" ticked the entry is stored, the appointment ends and the liaison lands on its
// dashboard, told why, without the case. A liaison has no reply composer.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { caseTimeline } from '../../db/case-view.queries';
import { decryptSplit } from '../../crypto/split-message';
import { appointLiaison } from '../../server/governance/liaison';
import { BY_SYSTEM } from '../../server/governance/governance-actor';
import { describeViolations, launchChromium, recordRequests, seriousAxeViolations } from '../helpers/browser';
import {
  caseMessages,
  memberInBrowser,
  openCaseInBrowser,
  signInInBrowser,
  waitForCaseDecrypted,
} from '../helpers/dashboard-browser';
import { recordConflict } from '../../server/governance/conflicts';
import { submitReport } from '../helpers/dashboard';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixtureKey, fixturePrivateKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let carol: EnrolledMember;
let frank: EnrolledMember;
let coc: { reference: string; id: string };

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  carol = await enrolMember(t.db, server, 'carol', 'approver');
  ({ context, page, member: frank } = await memberInBrowser(browser, t.db, server, 'frank', 'liaison'));
  coc = await submitReport(t.db, 'coc', 'Harassment at the contributor summit.');
  await t.db.transaction().execute((trx) => appointLiaison(trx, coc.id, frank.id, { ...BY_SYSTEM }));
  await openCaseInBrowser(page, server.url, coc.reference);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

const composer = () => page.locator('form[data-composer="comment"]');
const stored = () =>
  t.db.selectFrom('messages').select(['id', 'role']).where('case_id', '=', coc.id).orderBy('created_at').execute();

async function send(text: string, options: { decision: boolean; closed?: boolean }): Promise<void> {
  await composer()
    .getByLabel(options.decision ? 'The decision of the CNCF Code of Conduct Committee' : 'A comment to the readers')
    .check();
  if (options.closed) await composer().getByLabel('The committee has closed its case').check();
  await composer().locator('textarea').fill(text);
  const navigated = page.waitForEvent('load');
  await composer().getByRole('button', { name: 'Add internal note' }).click();
  await navigated;
}

test('a liaison has the role choice and no reply composer', async () => {
  expect(await page.locator('form[data-composer="reply"]').count()).toBe(0);
  expect(await composer().getByRole('radio').count()).toBe(2);
  expect(await page.locator('[data-liaison-limits]').innerText()).toContain('As the liaison you can read this case');
});

test('"closed" without the decision sends nothing and keeps the text', async () => {
  const requests = recordRequests(page);
  await composer().getByLabel('A comment to the readers').check();
  await composer().getByLabel('The committee has closed its case').check();
  await composer().locator('textarea').fill('Not a decision');
  await composer().getByRole('button', { name: 'Add internal note' }).click();
  await page.waitForFunction(() =>
    /Nothing was sent/.test(
      document.querySelector('form[data-composer="comment"] [data-composer-status]')?.textContent ?? '',
    ),
  );
  expect(await composer().locator('textarea').inputValue()).toBe('Not a decision');
  expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
  await composer().getByLabel('The committee has closed its case').uncheck();
});

test("the committee's decision is encrypted in the browser to the readers, and shown as such", async () => {
  await send('The committee decided on a written warning.', { decision: true });
  await waitForCaseDecrypted(page);
  const rows = await stored();
  expect(rows.map((r) => r.role)).toEqual(['report', 'committee-decision']);
  const packets = await t.db
    .selectFrom('session_keys')
    .select('recipient_fingerprint')
    .where('message_id', '=', rows[1]!.id)
    .execute();
  expect(packets.map((p) => p.recipient_fingerprint).sort()).toEqual(
    [fixtureKey('carol').fingerprint, fixtureKey('frank').fingerprint].sort(),
  );
  const entry = (await caseTimeline(t.db, coc.id, carol.id)).find((m) => m.id === rows[1]!.id)!;
  const { data } = await decryptSplit({
    sessionKeyPacket: entry.packet!,
    body: entry.body,
    decryptionKey: await fixturePrivateKey('carol'),
  });
  expect(data).toBe('The committee decided on a written warning.');
  await page.locator('[data-role="committee-decision"] [data-content]:not(:has-text("Encrypted."))').waitFor();
  expect((await caseMessages(page)).at(-1)).toEqual({
    role: 'committee-decision',
    text: 'The committee decided on a written warning.',
  });
  expect(await page.locator('[data-role="committee-decision"] .meta').innerText()).toContain(
    'The CNCF CoC Committee’s decision',
  );
});

test('"the committee has closed its case": stored, the appointment ends, the liaison is back on its dashboard without it', async () => {
  await send('The committee closed its case.', { decision: true, closed: true });
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/dashboard?left=committee-closed');
  expect(await page.locator('[data-left-case]').innerText()).toContain(
    'your appointment as liaison on that case has ended',
  );
  expect(await page.content()).not.toContain(coc.reference);
  expect((await stored()).map((r) => r.role)).toEqual(['report', 'committee-decision', 'committee-decision']);
  const appointment = await t.db
    .selectFrom('liaison_appointments')
    .select(['ended_because'])
    .where('case_id', '=', coc.id)
    .executeTakeFirstOrThrow();
  expect(appointment.ended_because).toBe('committee-closed');
  const response = await page.goto(`${server.url}/dashboard/cases/${coc.reference}`);
  expect(response?.status()).toBe(404);
});

test("the conflicts part of an approver's case page has no serious accessibility violations", async () => {
  const other = await submitReport(t.db, 'coc', 'Another case, with a conflict recorded.');
  const row = await t.db
    .selectFrom('members')
    .select(['id', 'name', 'email', 'role'])
    .where('id', '=', carol.id)
    .executeTakeFirstOrThrow();
  await recordConflict(t.db, { ...row, sessionId: 'e2e' }, other.reference, {
    memberId: frank.id,
    ground: 'same-employer',
  });
  // axe is injected inline, which the app's CSP rightly blocks: this context bypasses it.
  const axeContext = await browser.newContext({ bypassCSP: true });
  try {
    const axePage = await axeContext.newPage();
    await signInInBrowser(axePage, server, carol);
    expect((await axePage.goto(`${server.url}/dashboard/cases/${other.reference}`))?.status()).toBe(200);
    expect(await axePage.locator('[data-conflict][data-level="soft"]').count()).toBe(1);
    const violations = await seriousAxeViolations(axePage);
    if (violations.length > 0) console.log(describeViolations(violations));
    expect(violations.map((v) => v.id)).toEqual([]);
  } finally {
    await axeContext.close();
  }
});
