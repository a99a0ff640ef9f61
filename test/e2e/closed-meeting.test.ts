// Issue 11's end-to-end check of closed meetings, in headless Chromium against the real app with
// outbound mail to a real SMTP peer: four approvers alice (A), bob (B), dave (D) and carol (C); a Code
// of Conduct report names carol as involved (a hard conflict) and carries a canary phrase. A calls a
// closed meeting from the case page's plain form; the peer receives one invitation for each of A, B
// and D and none for C, each with an .ics that ical.js reads (METHOD:REQUEST, the neutral title, the
// link) and no report text. A moves the meeting: the same event updates (same UID, higher SEQUENCE).
// Carol, signed in throughout, sees nothing of it on her dashboard.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { caseMessages, memberInBrowser, openCaseInBrowser } from '../helpers/dashboard-browser';
import { fixtureKey } from '../helpers/keys';
import { TestClock, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { waitForInvitations, meetingInvitations } from '../helpers/meeting-invitations';
import { submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';
import { canary } from '../helpers/report-scenario';

const SECRET = canary('closed-meeting');
let s: MailScenario;
let server: AuthTestServer;
let browser: Browser;
type InBrowser = { page: Page; member: EnrolledMember };
let A: InBrowser, B: InBrowser, D: InBrowser, C: InBrowser;
let reference: string;
let carolBefore: string;
let clock: TestClock;

const db = () => s.database.db;
const typed = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
const inDays = (days: number) => {
  const d = new Date(Date.now() + days * 24 * 3600_000);
  d.setUTCSeconds(0, 0);
  return d;
};

/** The dashboard as carol's browser gets it, without what differs on every load (tokens, nonces). */
async function carolsDashboard(): Promise<string> {
  const html = await (await C.page.goto(`${server.url}/dashboard`))!.text();
  return html
    .replace(/(name="_csrf" value=|data-csrf=|nonce=)"[^"]*"/g, '$1""')
    .replace(/data-key-session="[^"]*"/g, '');
}

async function clickAndLoad(page: Page, button: ReturnType<Page['locator']>): Promise<void> {
  await Promise.all([page.waitForEvent('load'), button.click()]);
}

beforeAll(async () => {
  clock = new TestClock();
  s = await startMailScenario({ members: [], deps: { governanceClock: clock.now } });
  server = s.authServer;
  browser = await launchChromium();
  A = await memberInBrowser(browser, db(), server, 'alice', 'approver');
  B = await memberInBrowser(browser, db(), server, 'bob', 'approver');
  D = await memberInBrowser(browser, db(), server, 'dave', 'approver');
  C = await memberInBrowser(browser, db(), server, 'carol', 'approver');
  carolBefore = await carolsDashboard();
  const submitted = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', SECRET),
    attachments: [],
    involved: [C.member.id],
  });
  reference = submitted.reference;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

test('A calls a closed meeting; everyone but C is invited, each with an .ics a real parser reads, without report text', async () => {
  await openCaseInBrowser(A.page, server.url, reference);
  const form = A.page.locator('form[data-call-meeting]');
  // The form offers no way to add anyone: only the time, the duration and the link.
  await expect(form.locator('input:not([type=hidden]), select, textarea').count()).resolves.toBe(3);
  // A time in the past is refused beside its field, and what was typed stays.
  await form.getByLabel('Start').fill('2020-01-01 10:00');
  await form.getByLabel('Meeting link (https)').fill('https://meet.example.org/closed-e2e');
  await clickAndLoad(A.page, form.getByRole('button', { name: /Call the meeting/ }));
  await expect(A.page.locator('#startsAt-problem').textContent()).resolves.toContain('in the future');
  await expect(A.page.getByLabel('Meeting link (https)').inputValue()).resolves.toBe(
    'https://meet.example.org/closed-e2e',
  );

  const start = inDays(2);
  await A.page.getByLabel('Start').fill(`${typed(start)}+00:00`);
  await A.page.getByLabel('Duration (minutes)').first().fill('45');
  await clickAndLoad(A.page, A.page.getByRole('button', { name: /Call the meeting/ }));
  const meeting = A.page.locator('[data-meeting]');
  await expect(meeting.count()).resolves.toBe(1);
  await expect(meeting.locator('[data-meeting-start]').getAttribute('datetime')).resolves.toBe(start.toISOString());
  const listed = await meeting
    .locator('[data-meeting-invitees] [data-invitee]')
    .evaluateAll((items) => items.map((i) => i.getAttribute('data-invitee')));
  expect(listed.sort()).toEqual([A.member.id, B.member.id, D.member.id].sort());

  const invitations = await waitForInvitations(s.sink!, 3);
  expect(invitations.map((i) => i.to).sort()).toEqual(
    [fixtureKey('alice').email, fixtureKey('bob').email, fixtureKey('dave').email].sort(),
  );
  const uid = invitations[0]!.uid;
  for (const i of invitations) {
    expect(i).toMatchObject({
      method: 'REQUEST',
      uid,
      sequence: 0,
      start: start.toISOString(),
      summary: `Closed meeting — ${reference}`,
      location: 'https://meet.example.org/closed-e2e',
    });
    expect(i.raw).not.toContain(SECRET);
    expect(i.description).not.toContain(SECRET);
  }
});

test('A moves the meeting: the same event updates, with a higher SEQUENCE, for the same three', async () => {
  await openCaseInBrowser(A.page, server.url, reference);
  const move = A.page.locator('form[data-move-meeting]');
  const later = inDays(3);
  await move.getByLabel('New start').fill(typed(later));
  await clickAndLoad(A.page, move.getByRole('button', { name: 'Move the meeting' }));
  await expect(A.page.locator('[data-meeting]').getAttribute('data-sequence')).resolves.toBe('1');

  const all = await waitForInvitations(s.sink!, 6);
  const [first, moved] = [all.slice(0, 3), all.slice(3)];
  expect(moved.map((i) => i.to).sort()).toEqual(first.map((i) => i.to).sort());
  for (const i of moved) {
    expect(i).toMatchObject({ method: 'REQUEST', uid: first[0]!.uid, start: later.toISOString() });
    expect(i.sequence).toBeGreaterThan(first[0]!.sequence);
    expect(i.raw).not.toContain(SECRET);
  }
});

test('after the meeting: B records who attended, A writes the minutes in the browser, B reads them decrypted', async () => {
  clock.advance(3 * 24 * 3600_000 + 10 * 60_000);
  await openCaseInBrowser(B.page, server.url, reference);
  const attendance = B.page.locator('form[data-meeting-attendance]');
  await attendance.getByLabel(fixtureKey('alice').displayName).check();
  await attendance.getByLabel(fixtureKey('bob').displayName).check();
  await clickAndLoad(B.page, attendance.getByRole('button', { name: 'Record attendance' }));
  await expect(B.page.locator(`[data-invitee="${D.member.id}"]`).textContent()).resolves.toContain('did not attend');
  await expect(B.page.locator(`[data-invitee="${A.member.id}"]`).textContent()).resolves.toContain('attended');

  await openCaseInBrowser(A.page, server.url, reference);
  const minutes = A.page.locator('form[data-meeting-minutes]');
  await minutes.getByLabel('Minutes').fill('Minutes: we agreed on a warning.');
  await clickAndLoad(A.page, minutes.getByRole('button', { name: 'Add the minutes' }));
  await expect(A.page.locator('[data-meeting-minutes-count]').textContent()).resolves.toContain('1 entry');

  await openCaseInBrowser(B.page, server.url, reference);
  await B.page.locator('[data-role="meeting-minutes"] [data-content]:not(:has-text("Encrypted."))').waitFor();
  const read = await caseMessages(B.page);
  expect(read.find((m) => m.role === 'meeting-minutes')?.text).toBe('Minutes: we agreed on a warning.');
  const stored = await db().selectFrom('messages').select('body').where('role', '=', 'meeting-minutes').execute();
  expect(stored).toHaveLength(1);
  expect(Buffer.from(stored[0]!.body).toString('latin1')).not.toContain('we agreed');
});

test("C's dashboard shows nothing of it, C got no mail, and C cannot open the case", async () => {
  expect((await meetingInvitations(s.sink!)).some((i) => i.to.includes(fixtureKey('carol').email))).toBe(false);
  expect(s.sink!.messages.some((m) => m.to.includes(fixtureKey('carol').email))).toBe(false);
  expect(await carolsDashboard()).toBe(carolBefore);
  expect((await C.page.goto(`${server.url}/dashboard/cases/${reference}`))!.status()).toBe(404);
});
