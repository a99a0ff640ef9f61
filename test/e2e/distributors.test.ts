// Issue 12 §2 end to end, in headless Chromium against the real app, with outbound mail to a real
// SMTP peer: an approver keeps the distributors list on its page (a GnuPG-made key, the acceptance
// of the embargo policy); a security case holds an advisory draft (a message with role
// advisory-draft, encrypted to the readers with OpenPGP, as the advisory editor stores it); the
// reader alice sends it from the case page; the distributor's mailbox receives one PGP/MIME mail
// that gpg decrypts with the distributor's key into the advisory as text; a day before the
// disclosure the release notice follows; alice records a leak. No mail carries anything of the report.
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { insertMessage } from '../../db/cases.queries';
import { encryptArmored } from '../../crypto/split-message';
import { readPublicKeys } from '../../crypto/keys';
import { addressCaseMessage, caseRecipients } from '../../server/cases/case-messages';
import type { AdvisoryDraft } from '../../server/disclosure/advisory-draft';
import { describeViolations, launchChromium, seriousAxeViolations } from '../helpers/browser';
import { caseMessages, memberInBrowser, openCaseInBrowser, signInInBrowser } from '../helpers/dashboard-browser';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey } from '../helpers/keys';
import { TestClock, enrolMember, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';
import { canary } from '../helpers/report-scenario';

const SECRET = canary('distributors-report');
const DISTRIBUTOR = fixtureKey('gina');
const DAY = 86_400_000;

let s: MailScenario;
let server: AuthTestServer;
let clock: TestClock;
let browser: Browser;
let gpg: GnupgHome;
let A: { page: Page; member: EnrolledMember };
let C: { page: Page; member: EnrolledMember };
let reference: string;
let caseId: string;
let plannedOn: string;

const db = () => s.database.db;

const DRAFT: AdvisoryDraft = {
  version: 1,
  summary: 'Path traversal in the bundle extractor',
  details: 'A crafted archive writes outside the target directory.',
  affected: [{ ecosystem: 'Go', name: 'example.org/kmesh', ranges: [{ introduced: '1.0.0', fixed: '1.4.2' }] }],
  cvss31: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  cwes: ['CWE-22'],
  aliases: [],
  credits: [{ name: 'Ada Finder', type: 'FINDER' }],
  references: [{ type: 'WEB', url: 'https://example.org/advisories/1' }],
};

async function mailTo(address: string, count: number) {
  const until = Date.now() + 30_000;
  for (;;) {
    const found = s.sink!.messages.filter((m) => m.to.includes(address));
    if (found.length >= count || Date.now() > until) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const submitAndLoad = async (page: Page, button: ReturnType<Page['locator']>) => {
  await Promise.all([page.waitForEvent('load'), button.click()]);
};

beforeAll(async () => {
  clock = new TestClock();
  s = await startMailScenario({ members: [], deps: { governanceClock: clock.now } });
  server = s.authServer;
  browser = await launchChromium();
  A = await memberInBrowser(browser, db(), server, 'alice', 'srt');
  C = await memberInBrowser(browser, db(), server, 'carol', 'approver', { withKey: false });
  await enrolMember(db(), server, 'bob', 'srt');
  gpg = await createGnupgHome();
  await gpg.importKey(DISTRIBUTOR.secretKey);

  const submitted = await submitThroughForm(s.webUrl, {
    kind: 'security',
    fields: fieldText('security', SECRET),
    attachments: [],
  });
  reference = submitted.reference;
  caseId = (await db().selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirstOrThrow())
    .id;

  // The advisory draft as the advisory editor stores it: its JSON encrypted to the case's readers.
  const readers = await caseRecipients(db(), caseId);
  const armored = await encryptArmored({
    data: JSON.stringify(DRAFT),
    recipients: await readPublicKeys(readers.map((r) => r.armoredKey)),
  });
  const found = await db()
    .selectFrom('cases')
    .select(['id', 'reporter_fingerprint', 'reporter_public_key'])
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  const addressed = await addressCaseMessage(
    db(),
    { id: found.id, reporterFingerprint: found.reporter_fingerprint, reporterPublicKey: found.reporter_public_key },
    { role: 'comment', authorMemberId: A.member.id, message: armored, withReporter: false },
  );
  await insertMessage(db(), caseId, { role: 'advisory-draft', authorMemberId: A.member.id, ...addressed.parts[0]! });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gpg?.destroy();
  await s?.close();
});

test('carol (an approver) keeps the distributors list: adds gina with her GnuPG key and records the acceptance', async () => {
  const page = C.page;
  await page.goto(`${server.url}/dashboard/distributors`);
  await page.fill('#organisation', 'Gina Linux');
  await page.fill('#email', 'security@gina-linux.example');
  await page.fill('#armoredKey', DISTRIBUTOR.publicKey);
  // The key's user ID names another address: refused beside the field, what was typed kept.
  await submitAndLoad(page, page.getByRole('button', { name: 'Add the distributor' }));
  await expect(page.locator('#armoredKey-problem').innerText()).resolves.toMatch(/Key refused/);
  await expect(page.inputValue('#organisation')).resolves.toBe('Gina Linux');
  await page.fill('#email', DISTRIBUTOR.email);
  await submitAndLoad(page, page.getByRole('button', { name: 'Add the distributor' }));
  const row = page.locator('[data-distributor]');
  await expect(row.getAttribute('data-accepted')).resolves.toBe('no');
  await row.locator('input[name="acceptedOn"]').fill(clock.now().toISOString().slice(0, 10));
  await row.locator('input[name="policyVersion"]').fill('https://example.org/embargo-policy v1');
  await submitAndLoad(page, row.getByRole('button', { name: 'Record the acceptance' }));
  await expect(page.locator('[data-distributor]').getAttribute('data-accepted')).resolves.toBe('yes');
});

test('alice sends the advisory from the case page; the distributor mailbox gets it encrypted, gpg decrypts it', async () => {
  plannedOn = new Date(clock.now().getTime() + 10 * DAY).toISOString().slice(0, 10);
  await openCaseInBrowser(A.page, server.url, reference);
  await A.page.fill('#embargo', plannedOn);
  await submitAndLoad(A.page, A.page.getByRole('button', { name: 'Save date' }));
  await openCaseInBrowser(A.page, server.url, reference);
  const send = A.page.getByRole('button', { name: 'Send the advisory to the distributors' });
  await send.waitFor();
  await submitAndLoad(A.page, send);
  await A.page.locator('[data-sending][data-kind="advance"]').waitFor();

  const mails = await mailTo(DISTRIBUTOR.email, 1);
  expect(mails).toHaveLength(1);
  const raw = mails[0]!.raw.toString('utf8');
  const parsed = await simpleParser(mails[0]!.raw);
  expect(parsed.subject).toContain(reference);
  expect(parsed.subject).toContain(plannedOn);
  expect(raw).toContain('multipart/encrypted');
  expect(raw).not.toContain(DRAFT.summary);
  const block = raw.match(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/)![0].replace(/\r\n/g, '\n');
  const entity = (await gpg.decrypt(block)).toString('utf8');
  const inner = await simpleParser(entity);
  expect(inner.text).toContain(DRAFT.summary);
  expect(inner.text).toContain('fixed in 1.4.2');
  expect(inner.text).toContain(`UNDER EMBARGO until ${plannedOn}`);
  expect(inner.text).not.toContain(SECRET);
});

test('a day before the disclosure alice sends the release notice; the case lists both sendings', async () => {
  clock.advance(9 * DAY + 60_000);
  await openCaseInBrowser(A.page, server.url, reference);
  await submitAndLoad(A.page, A.page.getByRole('button', { name: 'Send the release notice' }));
  await A.page.locator('[data-sending][data-kind="release"]').waitFor();
  const mails = await mailTo(DISTRIBUTOR.email, 2);
  expect(mails).toHaveLength(2);
  const block = mails[1]!.raw
    .toString('utf8')
    .match(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/)![0];
  const notice = await simpleParser((await gpg.decrypt(block.replace(/\r\n/g, '\n'))).toString('utf8'));
  expect(notice.text).toContain(reference);
  expect(notice.text).toContain(plannedOn);
  expect(await A.page.locator('[data-sending]').count()).toBe(2);
});

test('alice records a leak; the case shows it, its text decrypted in her browser', async () => {
  const form = A.page.locator('form[data-leak-form]');
  await form.locator('select').selectOption({ label: 'Gina Linux' });
  await form.locator('input[name="leakedOn"]').fill(clock.now().toISOString().slice(0, 10));
  await form.locator('textarea').fill('The patched tarball appeared on a public mirror.');
  await submitAndLoad(A.page, form.getByRole('button', { name: 'Record the leak' }));
  await openCaseInBrowser(A.page, server.url, reference);
  await expect(A.page.locator('[data-leak]').innerText()).resolves.toContain('Gina Linux');
  const leak = (await caseMessages(A.page)).find((m) => m.role === 'embargo-leak');
  expect(leak?.text).toContain('public mirror');
});

test('nothing of the report is in any mail', async () => {
  expect(s.sink!.messages.length).toBeGreaterThan(0);
  for (const m of s.sink!.messages) expect(m.raw.toString('utf8')).not.toContain(SECRET);
  // And the server kept no ciphertext of what it mailed (marked once the relay took it).
  const sendings = () =>
    db().selectFrom('distributor_sendings').select(['ciphertext', 'sent_at']).where('case_id', '=', caseId).execute();
  const until = Date.now() + 10_000;
  let rows = await sendings();
  while (rows.some((r) => r.sent_at === null) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await sendings();
  }
  expect(rows.map((r) => [r.ciphertext, r.sent_at !== null])).toEqual([
    [null, true],
    [null, true],
  ]);
});

test('the forms and the JSON refuse prototype names and NUL bytes with a clear 4xx; the server stays up', async () => {
  await C.page.goto(`${server.url}/dashboard/distributors`);
  const csrf = await C.page.locator('form[data-add-distributor] input[name="_csrf"]').inputValue();
  const post = (form: Record<string, string>) =>
    C.page.request.post(`${server.url}/dashboard/distributors`, { form: { _csrf: csrf, ...form }, maxRedirects: 0 });
  const nul = await post({ organisation: 'Bad\u0000Org', email: 'x@y.example', armoredKey: DISTRIBUTOR.publicKey });
  expect(nul.status()).toBe(400);
  expect(await nul.text()).toContain('NUL character');
  for (const name of ['__proto__', 'constructor', 'toString']) {
    const answer = await post({
      [name]: 'x',
      organisation: name,
      email: `${name.replace(/_/g, '')}@x.example`,
      armoredKey: DISTRIBUTOR.publicKey,
    });
    // An unknown field is ignored; the key's user ID does not name the address: refused beside the key.
    expect(answer.status()).toBe(400);
    expect(await answer.text()).toContain('Key refused');
  }
  await openCaseInBrowser(A.page, server.url, reference);
  const token = (await A.page.locator('[data-embargo]').getAttribute('data-csrf'))!;
  const json = (body: string) =>
    A.page.request.post(`${server.url}/api/dashboard/cases/${reference}/distributor-sendings`, {
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      data: body,
    });
  for (const body of [
    '{"__proto__":{"kind":"advance"},"messages":[]}',
    `{"kind":"advance","plannedOn":"${plannedOn}","messages":[{"distributorId":"__proto__","message":"x"}]}`,
    '{"kind":"adv\\u0000ance","messages":[]}',
    '{"constructor":{"prototype":{"x":1}}}',
  ]) {
    const answer = await json(body);
    expect(answer.status()).toBe(400);
    expect(((await answer.json()) as { error: string }).error).not.toMatch(/at \w+ \(|TypeError/);
  }
  expect((await C.page.request.get(`${server.url}/healthz`)).status()).toBe(200);
});

test('axe finds no serious problem on the distributors page nor on the case page with its embargo section', async () => {
  // axe is injected inline, which the app's CSP rightly blocks: this context bypasses it.
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    await signInInBrowser(page, server, C.member);
    for (const path of ['/dashboard/distributors']) {
      await page.goto(`${server.url}${path}`);
      const violations = await seriousAxeViolations(page);
      if (violations.length > 0) console.log(describeViolations(violations));
      expect(violations.map((v) => v.id)).toEqual([]);
    }
    await page.close();
    const alice = await context.newPage();
    await context.clearCookies();
    await signInInBrowser(alice, server, A.member);
    await alice.goto(`${server.url}/dashboard/cases/${reference}`);
    await alice.locator('[data-embargo]').waitFor();
    const violations = await seriousAxeViolations(alice);
    if (violations.length > 0) console.log(describeViolations(violations));
    expect(violations.map((v) => v.id)).toEqual([]);
  } finally {
    await context.close();
  }
});
