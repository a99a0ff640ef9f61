// Grants in headless Chromium against the real app (issue 10 §1): a new reader's pending grant is
// shown on the case page (flagged once it waits too long), fulfilled by another reader's browser
// just by opening a dashboard page with the key unlocked, and read by the new reader's browser; a
// granted packet that does not decrypt there is reported, and another reader's browser grants it
// again. Every granted packet is also decrypted by gpg with the grantee's key.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assembleMessage } from '../../crypto/split-message';
import { readPublicKey } from '../../crypto/keys';
import { createSessionKeyRewrapper } from '../../crypto/session-key-grant';
import { addCaseReader } from '../../server/governance/access';
import { fulfilGrant } from '../../server/governance/grants';
import { silentCaseEvents } from '../../server/cases/case-events';
import { launchChromium } from '../helpers/browser';
import { caseMessages, memberInBrowser, openCaseInBrowser } from '../helpers/dashboard-browser';
import { submitReport } from '../helpers/dashboard';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey, fixturePrivateKey } from '../helpers/keys';
import { TestClock, type AuthTestServer } from '../helpers/member-auth';
import { startTestServer } from '../helpers/server';
import type { EnrolledMember } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
let gpg: GnupgHome;
let governanceNow = new Date();
const contexts: BrowserContext[] = [];
const people: Record<string, { page: Page; member: EnrolledMember }> = {};

beforeAll(async () => {
  t = await createTestDatabase();
  const clock = new TestClock();
  server = {
    ...(await startTestServer(t.db, {}, { clock: clock.now, governanceClock: () => governanceNow })),
    clock,
  };
  browser = await launchChromium();
  gpg = await createGnupgHome();
  await gpg.importKey(fixtureKey('erin').secretKey);
  for (const [name, role] of [
    ['alice', 'approver'],
    ['bob', 'approver'],
    ['erin', 'liaison'],
  ] as const) {
    const { context, page, member } = await memberInBrowser(browser, t.db, server, name, role);
    contexts.push(context);
    people[name] = { page, member };
  }
}, 120_000);
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await gpg?.destroy();
  await t?.destroy();
});

const makeReader = (caseId: string, memberId: string) =>
  t.db
    .transaction()
    .execute((trx) => addCaseReader(trx, caseId, memberId, 'liaison', { actorMemberId: null, actorLabel: 'system' }));

async function waitForGrants(page: Page): Promise<string> {
  const status = page.locator(
    '[data-grant-status][data-grant-state="done"], [data-grant-status][data-grant-state="incomplete"]',
  );
  await status.waitFor({ timeout: 30_000 });
  return status.innerText();
}

async function erinPackets(caseId: string) {
  return t.db
    .selectFrom('session_keys as k')
    .innerJoin('messages as m', 'm.id', 'k.message_id')
    .select(['k.packet', 'm.body', 'k.granted_by_member_id'])
    .where('m.case_id', '=', caseId)
    .where('k.member_key_id', 'in', (eb) =>
      eb.selectFrom('member_keys').select('id').where('member_id', '=', people.erin!.member.id),
    )
    .execute();
}

test('a reader’s browser grants a new reader on the dashboard; the new reader reads the case; gpg agrees', async () => {
  const found = await submitReport(t.db, 'coc', 'The report the liaison must read.');
  await makeReader(found.id, people.erin!.member.id);

  // The liaison's own browser never grants; her list says a grant of her cases waits, once it is old.
  const erin = people.erin!.page;
  await erin.goto(`${server.url}/dashboard`);
  expect(await erin.locator('[data-grants-waiting]').count()).toBe(0);
  governanceNow = new Date(Date.now() + 25 * 3_600_000);
  await erin.goto(`${server.url}/dashboard`);
  expect(await erin.locator('[data-grants-waiting]').innerText()).toContain(
    '1 of your cases waits for a grant over a day',
  );
  await erin.waitForTimeout(500);
  expect(await erinPackets(found.id)).toEqual([]);

  // Every reader sees the grant waiting on the case page, flagged once older than the warning; and
  // bob's browser, on that very page with his key unlocked, grants it.
  const bob = people.bob!.page;
  await bob.goto(`${server.url}/dashboard/cases/${found.reference}`);
  expect(await bob.locator('[data-pending-grant="member"]').innerText()).toMatch(/Erin.*1 message, waiting since/);
  expect(await bob.locator('[data-grant-overdue]').count()).toBe(1);
  expect(await bob.locator('[data-revoke-note]').innerText()).toContain('cannot recall copies');
  expect(await waitForGrants(bob)).toContain('1 message re-wrapped');
  governanceNow = new Date();

  const packets = await erinPackets(found.id);
  expect(packets.map((p) => p.granted_by_member_id)).toEqual([people.bob!.member.id]);
  expect((await gpg.decrypt(await assembleMessage(packets[0]!.packet, packets[0]!.body))).toString('utf8')).toContain(
    'The report the liaison must read.',
  );
  await openCaseInBrowser(erin, server.url, found.reference);
  expect((await caseMessages(erin))[0]!.text).toContain('The report the liaison must read.');
  await bob.goto(`${server.url}/dashboard/cases/${found.reference}`);
  expect(await bob.locator('[data-pending-grants]').innerText()).toContain('None');
});

test('a granted packet that does not decrypt is reported by the grantee’s browser and granted again by another reader', async () => {
  const found = await submitReport(t.db, 'coc', 'The second report.');
  const decoy = await submitReport(t.db, 'coc', 'Another case entirely.');
  await makeReader(found.id, people.erin!.member.id);
  // alice's browser misbehaves: it wraps the session key of another message for erin.
  const [target] = await t.db.selectFrom('messages').select('id').where('case_id', '=', found.id).execute();
  const decoyPacket = await t.db
    .selectFrom('session_keys as k')
    .innerJoin('messages as m', 'm.id', 'k.message_id')
    .innerJoin('member_keys as mk', 'mk.id', 'k.member_key_id')
    .select('k.packet')
    .where('m.case_id', '=', decoy.id)
    .where('mk.member_id', '=', people.alice!.member.id)
    .executeTakeFirstOrThrow();
  const rewrap = await createSessionKeyRewrapper({
    decryptionKey: await fixturePrivateKey('alice'),
    recipients: [await readPublicKey(fixtureKey('erin').publicKey)],
  });
  const [wrong] = await rewrap(decoyPacket.packet);
  const alice = await t.db
    .selectFrom('members')
    .select(['id', 'name', 'email', 'role'])
    .where('id', '=', people.alice!.member.id)
    .executeTakeFirstOrThrow();
  await fulfilGrant(
    t.db,
    { ...alice, sessionId: 'a misbehaving browser' },
    found.reference,
    {
      grantee: `member:${people.erin!.member.id}`,
      packets: [{ messageId: target!.id, packet: Buffer.from(wrong!.packet).toString('base64') }],
    },
    silentCaseEvents,
  );

  const erin = people.erin!.page;
  await openCaseInBrowser(erin, server.url, found.reference);
  await erin.locator('[data-key-status]:has-text("could not be decrypted")').waitFor({ timeout: 15_000 });
  const failures = await t.db.selectFrom('grant_failures').select(['message_id', 'granted_by_member_id']).execute();
  expect(failures).toEqual([{ message_id: target!.id, granted_by_member_id: people.alice!.member.id }]);
  expect(await erinPackets(found.id)).toEqual([]);

  // alice's browser is not asked again; bob's is, and his grant decrypts.
  await people.alice!.page.goto(`${server.url}/dashboard`);
  await people.alice!.page.waitForTimeout(1000);
  expect(await erinPackets(found.id)).toEqual([]);
  await people.bob!.page.goto(`${server.url}/dashboard`);
  expect(await waitForGrants(people.bob!.page)).toContain('1 message re-wrapped');
  await openCaseInBrowser(erin, server.url, found.reference);
  expect((await caseMessages(erin))[0]!.text).toContain('The second report.');
});
