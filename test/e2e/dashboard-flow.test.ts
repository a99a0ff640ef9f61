// The triage dashboard end to end, in headless Chromium against the real app: a reporter files two
// reports with JavaScript on; alice follows her invitation, enrols, imports her key, reads the
// security report decrypted in her browser, comments, replies, moves, rates and assigns it; the
// reporter follows up with the receipt and answers; dave, named in the CoC report, sees no trace of
// it. Every request the browsers send is recorded: none carries plaintext, a receipt or a private key.
import fs from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateReceipt } from '../../crypto/receipt';
import { NO_MATCH } from '../../server/intake/followup';
import { reporterLabel } from '../../server/cases/workflow';
import { launchChromium, recordRequests, requestsContaining, type RecordedRequest } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import {
  caseMessages,
  enrolInBrowser,
  importKeyInBrowser,
  moveCaseInBrowser,
  openCaseInBrowser,
  openFollowupInBrowser,
  protectedFixtureKey,
  sendFromComposer,
  signInInBrowser,
  unlockKeyInBrowser,
  type BrowserMember,
} from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGnupgHome } from '../helpers/gnupg';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { fieldText, openAndFillForm, submitAndReadConfirmation, type Confirmation } from '../helpers/report-page';
import { canary } from '../helpers/report-scenario';
import { expectNoPrivateKey, expectNoneContain, privateKeyMarkers, receiptForms } from '../helpers/request-leaks';
import { newReferenceShape } from '../helpers/stored-case';

const PASSPHRASE = 'correct horse battery staple 42';
const NONEXISTENT = 'COC-2099-9999';
const REPORT_CANARY = canary('report');
const COMMENT = `Internal only: reproduces on main. ${canary('comment')}`;
const REPLY = `Thank you, we can reproduce it. Which version did you test? ${canary('reply')}`;
const ANSWER = `Version 1.4.2 on Linux. ${canary('answer')}`;

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let dave: EnrolledMember;
let aliceId: string;
let security: Confirmation;
let coc: Confirmation;
let otherCoc: { reference: string };

/** alice's browser tab, and every request it sends from her first step on. */
let alice: Page;
let aliceSignIn: BrowserMember;
/** Her private key as she exports it from GnuPG, protected with PASSPHRASE. */
let armoredKey: string;
let aliceRequests: RecordedRequest[];

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  aliceId = (await addFixtureMember(t.db, 'alice', 'srt')).id;
  await enrolMember(t.db, server, 'bob', 'srt');
  await enrolMember(t.db, server, 'carol', 'approver');
  dave = await enrolMember(t.db, server, 'dave', 'approver');
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

const noneContain = (requests: readonly RecordedRequest[], secrets: readonly string[]) =>
  expectNoneContain(requests, secrets, server.url);
const noPrivateKey = (requests: readonly RecordedRequest[]) =>
  expectNoPrivateKey(requests, 'alice', {
    armoredKeys: [fixtureKey('alice').secretKey, armoredKey],
    passphrase: PASSPHRASE,
    origin: server.url,
  });

test('a reporter files a security report and a CoC report naming dave, with JavaScript on', async () => {
  const page = await newPage();
  const requests = recordRequests(page);

  await openAndFillForm(page, server.url, 'security', fieldText('security', REPORT_CANARY));
  security = await submitAndReadConfirmation(page);
  await openAndFillForm(page, server.url, 'coc', fieldText('coc', canary('coc')));
  await page.getByLabel(fixtureKey('dave').displayName, { exact: true }).check();
  coc = await submitAndReadConfirmation(page);

  expect(security.reference).toMatch(newReferenceShape('SEC'));
  expect(coc.reference).toMatch(newReferenceShape('COC'));
  noneContain(requests, [REPORT_CANARY, ...receiptForms(security.receipt), ...receiptForms(coc.receipt)]);
  // A CoC case dave may read, so that his list is not empty for another reason.
  otherCoc = await submitReport(t.db, 'coc', 'Spam in the community chat.');
});

describe('alice handles the security report in her browser', () => {
  beforeAll(async () => {
    alice = await newPage();
    aliceRequests = recordRequests(alice);
    armoredKey = await protectedFixtureKey('alice', PASSPHRASE);
  });

  test('she follows the invitation: password, authenticator, recovery codes, dashboard', async () => {
    aliceSignIn = await enrolInBrowser(alice, t.db, server, { id: aliceId, email: fixtureKey('alice').email });
    expect(aliceSignIn.recoveryCodes.length).toBeGreaterThanOrEqual(8);
    expect(await alice.locator('h1').innerText()).toBe('Cases you may read');
    expect(
      await alice.locator('tr[data-case]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case'))),
    ).toEqual([security.reference]);
  });

  test('"My key": her passphrase-protected private key is imported and unlocked in the browser', async () => {
    await alice.getByRole('link', { name: 'My key' }).click();
    // A passphrase that does not unlock it: nothing is imported, and after a reload the page still says so.
    await expect(importKeyInBrowser(alice, server.url, armoredKey, `${PASSPHRASE} typo`)).rejects.toThrow(
      'Not imported: That passphrase does not unlock your key.',
    );
    await alice.reload();
    await alice.waitForFunction(
      () => document.querySelector('[data-keyring-status]')?.textContent !== 'This page needs JavaScript.',
    );
    expect(await alice.locator('[data-keyring-status]').innerText()).toBe('No key is stored in this browser yet.');

    expect(await importKeyInBrowser(alice, server.url, armoredKey, PASSPHRASE)).toContain(
      fixtureKey('alice').fingerprint,
    );
  });

  test('she opens the case from the list and reads the report, decrypted in the page', async () => {
    await alice.goto(`${server.url}/dashboard`);
    await alice.getByRole('link', { name: security.reference }).click();
    await alice.waitForURL(`${server.url}/dashboard/cases/${security.reference}`);
    await openCaseInBrowser(alice, server.url, security.reference);
    const [report, ...rest] = await caseMessages(alice);
    expect(rest).toEqual([]);
    expect(report!.role).toBe('report');
    expect(report!.text).toContain(`${REPORT_CANARY}-body`);
    expect(await alice.locator('[data-key-status]').innerText()).toBe('Decrypted in this browser with your key.');
  });

  test('she can instead download the report armored, and stock gpg decrypts it with her key', async () => {
    const [download] = await Promise.all([
      alice.waitForEvent('download'),
      alice.getByRole('link', { name: 'Download encrypted (.asc)' }).first().click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${security.reference}-report-[0-9a-f]{8}\\.asc$`));
    const armored = await fs.readFile((await download.path())!, 'utf8');
    expect(armored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    const gpg = await createGnupgHome();
    try {
      await gpg.importKey(fixtureKey('alice').secretKey);
      expect((await gpg.decrypt(armored)).toString('utf8')).toContain(`${REPORT_CANARY}-body`);
    } finally {
      await gpg.destroy();
    }
  });

  test('she adds a comment for responders and a reply to the reporter', async () => {
    await sendFromComposer(alice, 'comment', COMMENT);
    await sendFromComposer(alice, 'reply', REPLY);
    expect(
      (await caseMessages(alice)).map((m) => [m.role, m.text.includes(REPORT_CANARY) ? 'report' : m.text]),
    ).toEqual([
      ['report', 'report'],
      ['comment', COMMENT],
      ['reply', REPLY],
    ]);
  });

  test('she moves it acknowledged → assessing, sets a CVSS 3.1 vector, and assigns it to bob', async () => {
    await moveCaseInBrowser(alice, 'Acknowledged');
    expect(await alice.locator('[data-status]').innerText()).toBe('Acknowledged');
    await moveCaseInBrowser(alice, 'Assessing');
    expect(await alice.locator('[data-status]').innerText()).toBe('Assessing');

    await alice.fill('#vector', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    await alice.getByRole('button', { name: 'Save severity' }).click();
    await alice.waitForLoadState('load');
    expect(await alice.locator('p', { hasText: 'Severity:' }).innerText()).toMatch(/Severity: 9\.8 \(critical\)/i);

    await alice.selectOption('#assignee', { label: fixtureKey('bob').displayName });
    await alice.getByRole('button', { name: 'Assign' }).click();
    await alice.waitForLoadState('load');
    expect(await alice.locator('#assignee option:checked').innerText()).toBe(fixtureKey('bob').displayName);

    await alice.goto(`${server.url}/dashboard`);
    const row = alice.locator(`tr[data-case="${security.reference}"]`);
    expect(await row.locator('td').allInnerTexts()).toEqual(
      expect.arrayContaining(['Assessing', '9.8 critical', fixtureKey('bob').displayName]),
    );
  });

  test('nothing she sent carries the report, her comment, her reply or her private key', async () => {
    const posted = aliceRequests.filter(
      (r) => r.method === 'POST' && /\/api\/dashboard\/cases\/[^/]+\/messages$/.test(new URL(r.url).pathname),
    );
    expect(posted).toHaveLength(2);
    // The search does see request bodies: the ciphertext is there.
    expect(requestsContaining(aliceRequests, '-----BEGIN PGP MESSAGE-----')).toEqual(posted);
    noneContain(aliceRequests, [REPORT_CANARY, COMMENT, REPLY]);
    await noPrivateKey(aliceRequests);
    // The markers are the key's own: none is in her public key, which the server does hand out.
    for (const marker of await privateKeyMarkers('alice', [fixtureKey('alice').secretKey, armoredKey]))
      expect(fixtureKey('alice').publicKey).not.toContain(marker);
  });
});

describe('the reporter follows up with the receipt', () => {
  let reporter: Page;
  let reporterRequests: RecordedRequest[];

  beforeAll(async () => {
    reporter = await newPage();
    reporterRequests = recordRequests(reporter);
  });

  test('a receipt of the right shape that matches no case opens nothing', async () => {
    await expect(openFollowupInBrowser(reporter, server.url, generateReceipt())).rejects.toThrow(
      `The follow-up page said: ${NO_MATCH}`,
    );
  });

  test('sees the status, reads the reply decrypted in the browser, not the comment, and answers', async () => {
    await openFollowupInBrowser(reporter, server.url, security.receipt);
    const view = reporter.locator('[data-followup-view]');
    expect(await view.locator('strong').first().innerText()).toBe(reporterLabel('security', 'assessing'));
    const shown = await view.innerText();
    expect(shown).toContain(REPLY);
    expect(shown).toContain(`${REPORT_CANARY}-body`);
    expect(shown).not.toContain(COMMENT);
    expect(shown).not.toContain('CANARY-comment');

    await view.locator('#answer').fill(ANSWER);
    await view.getByRole('button', { name: 'Encrypt and send' }).click();
    await reporter.locator('[data-followup-view] pre', { hasText: ANSWER }).waitFor();
    expect(await view.locator('textarea').inputValue()).toBe('');
  });

  test('no request from the reporter’s page carries the receipt, the answer or the reply', async () => {
    const posted = reporterRequests.filter((r) => r.method === 'POST');
    expect(posted.map((r) => new URL(r.url).pathname)).toEqual([
      expect.stringMatching(/^\/api\/followup\/[0-9a-f]{64}\/replies$/),
    ]);
    expect(requestsContaining(reporterRequests, '-----BEGIN PGP MESSAGE-----')).toEqual(posted);
    noneContain(reporterRequests, [...receiptForms(security.receipt), ANSWER, REPLY, REPORT_CANARY]);
  });

  test('alice reloads the case and reads the answer; still nothing in the clear left her browser', async () => {
    await openCaseInBrowser(alice, server.url, security.reference);
    const messages = await caseMessages(alice);
    expect(messages.map((m) => m.role)).toEqual(['report', 'comment', 'reply', 'reporter-reply']);
    expect(messages[3]!.text).toBe(ANSWER);
    noneContain(aliceRequests, [REPORT_CANARY, COMMENT, REPLY, ANSWER]);
    await noPrivateKey(aliceRequests);
  });
});

describe('alice signs out', () => {
  test('her key is locked again: signed in anew, the case asks for it, and its passphrase unlocks it', async () => {
    await alice.getByRole('button', { name: 'Sign out' }).click();
    await alice.waitForURL(`${server.url}/signin?signed-out=1`);
    await signInInBrowser(alice, server, aliceSignIn);
    await openCaseInBrowser(alice, server.url, security.reference);
    expect(await alice.locator('[data-key-status]').innerText()).toMatch(/locked/);
    expect(new Set(await alice.locator('[data-content]').allInnerTexts())).toEqual(new Set(['Encrypted.']));
    expect(await alice.locator('form[data-composer]:visible').count()).toBe(0);

    await unlockKeyInBrowser(alice, server.url, PASSPHRASE);
    await openCaseInBrowser(alice, server.url, security.reference);
    expect((await caseMessages(alice)).map((m) => m.text)).toContain(ANSWER);
    noneContain(aliceRequests, [REPORT_CANARY, COMMENT, REPLY, ANSWER]);
    await noPrivateKey(aliceRequests);
  });
});

describe('dave, named in the CoC report, sees no trace of it', () => {
  let page: Page;

  beforeAll(async () => {
    page = await newPage();
    await signInInBrowser(page, server, dave);
  });

  test('the list shows only the CoC case he may read, and its counts leave the other out', async () => {
    for (const query of ['', '?kind=coc', '?status=new', '?assigned=none&sort=oldest']) {
      await page.goto(`${server.url}/dashboard${query}`);
      const rows = await page
        .locator('tr[data-case]')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-case')));
      expect(rows).toEqual([otherCoc.reference]);
      const counts = await page.locator('[data-count]').allInnerTexts();
      expect(counts.reduce((sum, n) => sum + Number(n), 0)).toBe(1);
      expect(await page.locator('main .hint').first().innerText()).toMatch(/^1 in all/);
      expect(await page.content()).not.toContain(coc.reference);
    }
  });

  test('its URL answers 404 exactly like a case that does not exist', async () => {
    const visit = async (reference: string) => {
      const response = await page.goto(`${server.url}/dashboard/cases/${reference}`);
      return { status: response?.status(), text: await page.locator('body').innerText() };
    };
    const hidden = await visit(coc.reference);
    const missing = await visit(NONEXISTENT);
    expect(hidden.status).toBe(404);
    expect(hidden).toEqual(missing);
    expect(await visit(coc.reference.toLowerCase())).toEqual(missing);
    // The markup too, but for the CSRF token of the sign-out form.
    const markup = async (reference: string) =>
      (await (await page.request.get(`${server.url}/dashboard/cases/${reference}`)).text()).replace(
        /name="_csrf" value="[^"]*"/g,
        '',
      );
    expect(await markup(coc.reference)).toBe(await markup(NONEXISTENT));

    for (const suffix of ['/messages', '/recipients?role=reply']) {
      const [h, m] = await Promise.all(
        [coc.reference, NONEXISTENT].map((ref) =>
          page.request.get(`${server.url}/api/dashboard/cases/${ref}${suffix}`),
        ),
      );
      expect({ status: h!.status(), body: await h!.text() }).toEqual({ status: m!.status(), body: await m!.text() });
      expect(h!.status()).toBe(404);
    }
  });
});

// Last: it uses up this client's receipt guesses on the server the other tests share.
describe('a reporter whose network guessed too often', () => {
  test('is told to wait, not that the receipt matches nothing', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/followup`);
    const statuses = await page.evaluate(async () => {
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) seen.push((await fetch(`/api/followup/${'0'.repeat(64)}`)).status);
      return seen;
    });
    expect(statuses[0]).toBe(404);
    expect(statuses.at(-1)).toBe(429);

    await page.fill('#receipt', security.receipt);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForFunction(() =>
      /^(?!Looking|Unlocking)./.test(document.querySelector('[data-status]')?.textContent ?? ''),
    );
    expect(await page.locator('[data-status]').innerText()).toMatch(/^Too many attempts/);
    expect(await page.locator('[data-followup-view]').isVisible()).toBe(false);
  });
});
