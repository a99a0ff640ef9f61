// Issue 10 end to end, in headless Chromium against the real app with outbound mail to a real SMTP
// peer: four approvers alice (A), bob (B), dave (D) and carol (C); a Code of Conduct report names
// carol as involved. A, B and D read it; B proposes the referral and it passes by lazy consensus
// (the decisions clock moves, nothing sleeps); a reader's browser re-wraps the case to the committee's
// key and the committee's mailbox gets one PGP/MIME mail that gpg decrypts with the committee key.
// A proposes erin (L) as liaison, D demands a vote, A's yes leaves it open (one of three is no
// majority), B's yes passes it at once; erin's browser reads that case and nothing else; A records a
// soft conflict for D, who still reads but no longer counts; carol, signed in throughout, never sees
// any of it; every grant decrypts with the grantee's key in gpg; the audit chain verifies.
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { pendingGrants } from '../../db/grants.queries';
import { verifyAuditChain } from '../../server/audit/audit-log';
import { setCommitteeKey } from '../../server/governance/committee';
import { settleProposals } from '../../server/governance/decision-settle';
import { launchChromium } from '../helpers/browser';
import { memberInBrowser, openCaseInBrowser, caseMessages } from '../helpers/dashboard-browser';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey } from '../helpers/keys';
import { TestClock, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';
import { canary, decryptCaseWithGpg } from '../helpers/report-scenario';

const SECRET = canary('coc-referral');
const COMMITTEE = fixtureKey('frank');
const DAY = 24 * 60 * 60 * 1000;

let s: MailScenario;
let server: AuthTestServer;
let decisions: TestClock;
let browser: Browser;
let committeeGpg: GnupgHome;
type InBrowser = { page: Page; member: EnrolledMember };
let A: InBrowser, B: InBrowser, D: InBrowser, C: InBrowser, L: InBrowser;
let reference: string;
let caseId: string;
let carolBefore: string;

const db = () => s.database.db;

/** The dashboard as carol's browser gets it, without what differs on every load (tokens, nonces). */
async function carolsDashboard(): Promise<string> {
  const html = await (await C.page.goto(`${server.url}/dashboard`))!.text();
  return html
    .replace(/(name="_csrf" value=|data-csrf=|nonce=)"[^"]*"/g, '$1""')
    .replace(/data-key-session="[^"]*"/g, '');
}

async function openCase(who: InBrowser): Promise<void> {
  await openCaseInBrowser(who.page, server.url, reference);
}

async function proposal(page: Page, title: RegExp) {
  return page.locator('[data-proposal]', { has: page.locator('[data-proposal-title]', { hasText: title }) }).first();
}

async function clickAndLoad(page: Page, button: ReturnType<Page['locator']>): Promise<void> {
  await Promise.all([page.waitForEvent('load'), button.click()]);
}

/** A reader's browser fulfils the pending grants on any dashboard page; waits until none is left for `grantee`. */
async function grantThrough(reader: InBrowser, granteeFingerprint: string): Promise<void> {
  const left = async () =>
    (await pendingGrants(db(), caseId)).filter((g) => g.fingerprint === granteeFingerprint).length;
  await reader.page.goto(`${server.url}/dashboard`);
  const until = Date.now() + 30_000;
  while ((await left()) > 0) {
    if (Date.now() > until) throw new Error(`grants to ${granteeFingerprint} still pending`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The mail the sink received for this address, once there is some (the queue sends it shortly). */
async function mailTo(address: string) {
  const until = Date.now() + 30_000;
  for (;;) {
    const found = s.sink!.messages.filter((m) => m.to.includes(address));
    if (found.length > 0 || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  decisions = new TestClock();
  s = await startMailScenario({ members: [], deps: { governanceClock: decisions.now } });
  server = s.authServer;
  browser = await launchChromium();
  A = await memberInBrowser(browser, db(), server, 'alice', 'approver');
  B = await memberInBrowser(browser, db(), server, 'bob', 'approver');
  D = await memberInBrowser(browser, db(), server, 'dave', 'approver');
  C = await memberInBrowser(browser, db(), server, 'carol', 'approver');
  L = await memberInBrowser(browser, db(), server, 'erin', 'liaison');
  await setCommitteeKey(db(), { email: COMMITTEE.email, armoredKey: COMMITTEE.publicKey });
  committeeGpg = await createGnupgHome();
  await committeeGpg.importKey(COMMITTEE.secretKey);
  // Another case, which everyone but erin reads: erin must never see a trace of it.
  await submitThroughForm(s.webUrl, {
    kind: 'security',
    fields: fieldText('security', canary('other')),
    attachments: [],
  });
  carolBefore = await carolsDashboard();

  const submitted = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', SECRET),
    attachments: [],
    involved: [C.member.id],
  });
  reference = submitted.reference;
  caseId = (await db().selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirstOrThrow())
    .id;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await committeeGpg?.destroy();
  await s?.close();
});

test('A, B and D read the report in their browsers; C gets no trace of it', async () => {
  for (const who of [A, B, D]) {
    await openCase(who);
    expect((await caseMessages(who.page)).find((m) => m.role === 'report')?.text).toContain(SECRET);
  }
  expect((await C.page.goto(`${server.url}/dashboard/cases/${reference}`))!.status()).toBe(404);
  expect(await carolsDashboard()).toBe(carolBefore);
});

test('B proposes the referral; it passes by lazy consensus at its deadline; the committee gets it by PGP/MIME', async () => {
  await openCase(B);
  await clickAndLoad(B.page, B.page.getByRole('button', { name: /refer this case to the CNCF CoC Committee/ }));
  const referral = await proposal(B.page, /Refer/);
  await expect(referral.getAttribute('data-mode')).resolves.toBe('lazy');

  // Not before its deadline…
  decisions.advance(DAY - 60_000);
  expect(await settleProposals(db(), decisions.now())).toEqual([]);
  // …and at it, with nobody objecting.
  decisions.advance(2 * 60_000);
  const settled = await settleProposals(db(), decisions.now());
  expect(settled.map((p) => p.status)).toEqual(['passed']);

  // A reader's browser re-wraps every message to the committee key; then the mail goes.
  await grantThrough(B, COMMITTEE.fingerprint);
  const toCommittee = await mailTo(COMMITTEE.email);
  expect(toCommittee).toHaveLength(1);
  const raw = toCommittee[0]!.raw;
  expect(raw.toString()).not.toContain(SECRET);
  const parsed = await simpleParser(raw);
  expect(parsed.subject).toContain(reference);
  const blocks = [...raw.toString('utf8').matchAll(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g)];
  expect(blocks.length).toBeGreaterThanOrEqual(1);
  const opened = await Promise.all(blocks.map((b) => committeeGpg.decrypt(b[0].replace(/\r\n/g, '\n'))));
  expect(opened.map((b) => b.toString('utf8')).join('\n')).toContain(SECRET);

  const status = await db().selectFrom('cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow();
  expect(status.status).toBe('referred');
});

test('A proposes erin as liaison; D demands a vote; A yes leaves it open, B yes passes it at once', async () => {
  await openCase(A);
  await A.page.selectOption('#liaison-candidate', L.member.id);
  await clickAndLoad(A.page, A.page.getByRole('button', { name: 'Propose the appointment' }));

  await openCase(D);
  const atD = await proposal(D.page, /liaison/);
  await clickAndLoad(D.page, atD.getByRole('button', { name: 'Demand a vote' }));

  await openCase(A);
  await clickAndLoad(A.page, (await proposal(A.page, /liaison/)).getByRole('button', { name: 'Vote yes' }));
  const afterA = await proposal(A.page, /liaison/);
  await expect(afterA.getAttribute('data-status')).resolves.toBe('open');
  const tally = afterA.locator('[data-tally]');
  await expect(tally.getAttribute('data-yes')).resolves.toBe('1');
  await expect(tally.getAttribute('data-eligible')).resolves.toBe('3');

  await openCase(B);
  await clickAndLoad(B.page, (await proposal(B.page, /liaison/)).getByRole('button', { name: 'Vote yes' }));
  await expect((await proposal(B.page, /liaison/)).getAttribute('data-status')).resolves.toBe('passed');
});

test("erin's browser is granted the case, reads it, and sees no other case", async () => {
  await grantThrough(A, fixtureKey('erin').fingerprint);
  await L.page.goto(`${server.url}/dashboard`);
  const listed = await L.page
    .locator('[data-case]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case')));
  expect(listed).toEqual([reference]);
  expect((await mailTo(fixtureKey('erin').email)).map((m) => m.raw.toString())).toEqual([
    expect.stringContaining(reference),
  ]);
  await openCase(L);
  expect((await caseMessages(L.page)).find((m) => m.role === 'report')?.text).toContain(SECRET);
});

test('every grant decrypts with the grantee key in gpg', async () => {
  const forErin = await decryptCaseWithGpg(db(), reference, 'erin');
  expect(forErin.find((m) => m.role === 'report')?.data.toString('utf8')).toContain(SECRET);
});

test('A records a soft conflict for D: D still reads the case, and the next vote counts two eligible', async () => {
  await openCase(A);
  await A.page.selectOption('#memberId', D.member.id);
  await A.page.selectOption('#ground', 'same-employer');
  await clickAndLoad(A.page, A.page.getByRole('button', { name: 'Record the conflict' }));

  await openCase(D);
  expect((await caseMessages(D.page)).find((m) => m.role === 'report')?.text).toContain(SECRET);
  expect(await D.page.locator('[data-not-eligible]').isVisible()).toBe(true);

  await openCase(A);
  await A.page.selectOption('#liaison-current', L.member.id);
  await clickAndLoad(A.page, A.page.getByRole('button', { name: 'Propose ending it' }));
  const ending = await proposal(A.page, /End/);
  await expect(ending.locator('[data-tally]').getAttribute('data-eligible')).resolves.toBe('2');
});

test('carol, signed in throughout, never saw any of it; nothing about it was mailed to her; the audit chain verifies', async () => {
  expect((await C.page.goto(`${server.url}/dashboard/cases/${reference}`))!.status()).toBe(404);
  expect(await carolsDashboard()).toBe(carolBefore);
  const toCarol = s.sink!.messages.filter((m) => m.to.includes(fixtureKey('carol').email));
  expect(toCarol.filter((m) => m.raw.toString().includes(reference))).toEqual([]);
  const verification = await verifyAuditChain(db());
  expect(verification.ok).toBe(true);
});
