// The SRT appointed in headless Chromium against the real app (issue 11 §2): an approver proposes
// "the approvers themselves" on /dashboard/srt; once it passes, the approvers join the open security
// case, a leaving member's browser re-wraps it for them just by opening the dashboard (gpg decrypts
// the granted packet with the joiner's key), the joiner's browser reads it, and the leavers, handing
// over until then, lose it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assembleMessage } from '../../crypto/split-message';
import { completeSrtHandovers } from '../../server/governance/srt-team';
import { describeViolations, launchChromium, seriousAxeViolations } from '../helpers/browser';
import { caseMessages, memberInBrowser, openCaseInBrowser } from '../helpers/dashboard-browser';
import { submitReport } from '../helpers/dashboard';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { TestClock, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startTestServer } from '../helpers/server';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
let gpg: GnupgHome;
const governanceClock = new TestClock();
const contexts: BrowserContext[] = [];
const people: Record<string, { page: Page; member: EnrolledMember }> = {};

beforeAll(async () => {
  t = await createTestDatabase();
  const clock = new TestClock();
  server = {
    ...(await startTestServer(t.db, {}, { clock: clock.now, governanceClock: governanceClock.now })),
    clock,
  };
  browser = await launchChromium();
  gpg = await createGnupgHome();
  await gpg.importKey(fixtureKey('alice').secretKey);
  for (const [name, role] of [
    ['alice', 'approver'],
    ['erin', 'srt'],
  ] as const) {
    const { context, page, member } = await memberInBrowser(browser, t.db, server, name, role);
    contexts.push(context);
    people[name] = { page, member };
  }
  // The operator's second SRT member: the team is {erin, gina}.
  await addFixtureMember(t.db, 'gina', 'srt');
}, 120_000);
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await gpg?.destroy();
  await t?.destroy();
});

const alicePackets = (caseId: string) =>
  t.db
    .selectFrom('session_keys as k')
    .innerJoin('messages as m', 'm.id', 'k.message_id')
    .select(['k.packet', 'm.body', 'k.granted_by_member_id'])
    .where('m.case_id', '=', caseId)
    .where('k.member_key_id', 'in', (eb) =>
      eb.selectFrom('member_keys').select('id').where('member_id', '=', people.alice!.member.id),
    )
    .execute();

test('appointing the approvers in the browser: a leaver’s browser hands the open case over, then the leavers lose it', async () => {
  const found = await submitReport(t.db, 'security', 'The bug the new team must read.');
  const alice = people.alice!.page;
  expect((await alice.goto(`${server.url}/dashboard/cases/${found.reference}`))?.status()).toBe(404);

  await alice.goto(`${server.url}/dashboard`);
  await alice.getByRole('link', { name: 'Security Response Team', exact: true }).click();
  await alice.getByLabel('The approvers themselves').check();
  await alice.getByRole('button', { name: 'Propose this team' }).click();
  await alice.waitForLoadState('load');
  expect(await alice.locator('[data-srt-proposed]').count()).toBe(1);
  expect(await alice.locator('[data-srt-open]').innerText()).toContain(
    'Appoint the approvers themselves as the Security Response Team',
  );

  // Lazy consensus: 72 hours later the page shows the new team.
  governanceClock.advance(73 * 3_600_000);
  await alice.goto(`${server.url}/dashboard/srt`);
  expect(await alice.locator('[data-srt-team]').getAttribute('data-srt-team')).toBe('approvers');
  expect(await alicePackets(found.id)).toEqual([]);
  // Nobody staying can read the case yet: erin and gina keep it.
  expect(await completeSrtHandovers(t.db)).toBe(0);

  // erin's browser, on her dashboard with her key unlocked, re-wraps the case for alice.
  const erin = people.erin!.page;
  await erin.goto(`${server.url}/dashboard`);
  await erin
    .locator('[data-grant-status][data-grant-state="done"], [data-grant-status][data-grant-state="incomplete"]')
    .waitFor({ timeout: 30_000 });
  const packets = await alicePackets(found.id);
  expect(packets.map((p) => p.granted_by_member_id)).toEqual([people.erin!.member.id]);
  expect((await gpg.decrypt(await assembleMessage(packets[0]!.packet, packets[0]!.body))).toString('utf8')).toContain(
    'The bug the new team must read.',
  );
  await openCaseInBrowser(alice, server.url, found.reference);
  expect((await caseMessages(alice))[0]!.text).toContain('The bug the new team must read.');

  // The handover is done: erin and gina lose the case.
  expect(await completeSrtHandovers(t.db)).toBe(2);
  expect((await erin.goto(`${server.url}/dashboard/cases/${found.reference}`))?.status()).toBe(404);
  await erin.goto(`${server.url}/dashboard`);
  expect(await erin.locator(`[data-case="${found.reference}"]`).count()).toBe(0);
});

test('the SRT page has no serious accessibility violations, as refused and as shown', async () => {
  // axe is injected inline, which the app's CSP rightly blocks: this context bypasses it.
  const context = await browser.newContext({ bypassCSP: true });
  contexts.push(context);
  await context.addCookies(await people.alice!.page.context().cookies());
  const page = await context.newPage();
  expect((await page.goto(`${server.url}/dashboard/srt`))?.status()).toBe(200);
  const check = async () => {
    const violations = await seriousAxeViolations(page);
    if (violations.length > 0) console.log(`axe on ${page.url()}:\n${describeViolations(violations)}`);
    expect(violations.map((v) => v.id)).toEqual([]);
  };
  await check();
  await page.getByLabel('A delegated team of at least two of these members').check();
  await page.getByRole('button', { name: 'Propose this team' }).click();
  await page.waitForLoadState('load');
  expect(await page.locator('#propose-appoint-srt-problem').innerText()).toContain('at least 2 members');
  await check();
});
