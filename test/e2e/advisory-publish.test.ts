// Issue 12 §1 end to end, in headless Chromium against the real app: two approvers, alice (A) and
// bob (B), are the SRT. A works a security report up to "fixing" (where no button publishes any
// more), writes the advisory on the case page — a bad vector is refused beside its field with
// everything typed kept — and saves it: it is encrypted in her browser, and no row of the database
// holds its text. B's browser decrypts it into the form, exports OSV and CSAF 2.0 (the downloads
// are captured and validate with OSV's schema and csaf-validator-lib), and proposes publishing; it
// passes by lazy consensus at its deadline on the moved decisions clock, and the case is published.
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import { settleProposals } from '../../server/governance/decision-settle';
import { csafResults, osvErrors } from '../helpers/advisory-validators';
import { launchChromium } from '../helpers/browser';
import { memberInBrowser, moveCaseInBrowser, openCaseInBrowser } from '../helpers/dashboard-browser';
import { TestClock, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';
import { canary } from '../helpers/report-scenario';
import { dumpDatabaseText, foundInDump } from '../helpers/storage-scan';

const SECRET = canary('advisory-e2e');
const SUMMARY = `Path traversal in the extractor ${SECRET}`;
const HOUR = 3_600_000;

let s: MailScenario;
let server: AuthTestServer;
let decisions: TestClock;
let browser: Browser;
type InBrowser = { page: Page; member: EnrolledMember };
let A: InBrowser, B: InBrowser;
let reference: string;
let caseId: string;

const db = () => s.database.db;

async function openCase(who: InBrowser): Promise<void> {
  await openCaseInBrowser(who.page, server.url, reference);
  await who.page.locator('form[data-advisory-form]:visible').waitFor({ timeout: 30_000 });
}

async function download(page: Page, format: 'osv' | 'csaf') {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`button[data-export="${format}"]`).click(),
  ]);
  return {
    name: file.suggestedFilename(),
    json: JSON.parse(await fs.readFile((await file.path())!, 'utf8')) as unknown,
  };
}

beforeAll(async () => {
  decisions = new TestClock();
  s = await startMailScenario({ members: [], deps: { governanceClock: decisions.now } });
  server = s.authServer;
  browser = await launchChromium();
  A = await memberInBrowser(browser, db(), server, 'alice', 'approver');
  B = await memberInBrowser(browser, db(), server, 'bob', 'approver');
  const submitted = await submitThroughForm(s.webUrl, {
    kind: 'security',
    fields: fieldText('security', canary('report')),
    attachments: [],
  });
  reference = submitted.reference;
  caseId = (await db().selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirstOrThrow())
    .id;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

test('A moves the case to fixing; no button publishes it there, the page says it is a decision', async () => {
  await openCase(A);
  for (const label of ['Acknowledged', 'Assessing', 'Confirmed', 'Fixing']) await moveCaseInBrowser(A.page, label);
  await openCase(A);
  await expect(A.page.locator('.status-line [data-status]').innerText()).resolves.toBe('Fixing');
  expect(await A.page.getByRole('button', { name: 'Published', exact: true }).count()).toBe(0);
  await expect(A.page.locator('section[aria-labelledby="workflow-h"]').innerText()).resolves.toContain(
    'publishing the advisory is a decision',
  );
  // Nothing to export before a draft is saved.
  await expect(A.page.locator('button[data-export="osv"]').isDisabled()).resolves.toBe(true);
});

test('A writes the advisory; a bad vector is refused beside its field and nothing typed is lost; then it is saved', async () => {
  const form = A.page.locator('form[data-advisory-form]');
  await A.page.fill('#adv-summary', SUMMARY);
  await A.page.fill('#adv-details', `A crafted archive writes outside the target. ${SECRET}`);
  await A.page.fill('#adv-affected', 'Go | github.com/kmesh-net/kmesh | 0 | 1.0.3\nnpm | @kmesh/cli | 2.0.0 | | 2.4.1');
  await A.page.fill('#adv-cvss31', 'CVSS:3.1/AV:N/AC:L');
  await A.page.fill('#adv-cvss40', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N');
  await A.page.fill('#adv-cwes', 'CWE-22');
  await A.page.fill('#adv-aliases', 'CVE-2026-12345');
  await A.page.fill('#adv-credits', 'FINDER | Ada Lovelace | mailto:ada@example.org');
  await A.page.fill('#adv-references', 'FIX | https://github.com/kmesh-net/kmesh/commit/abc123');
  await form.getByRole('button', { name: 'Save the advisory draft' }).click();
  await expect(form.locator('[data-problem-for="cvss31"]').innerText()).resolves.toContain('lacks the base metric');
  await expect(A.page.locator('#adv-cvss31').getAttribute('aria-invalid')).resolves.toBe('true');
  await expect(A.page.inputValue('#adv-summary')).resolves.toBe(SUMMARY);
  expect(await db().selectFrom('messages').select('id').where('role', '=', 'advisory-draft').execute()).toEqual([]);

  await A.page.fill('#adv-cvss31', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
  const reloaded = A.page.waitForEvent('load');
  await form.getByRole('button', { name: 'Save the advisory draft' }).click();
  await reloaded;
  await A.page.locator('form[data-advisory-form]:visible').waitFor();
  await expect(A.page.locator('[data-advisory-status]').innerText()).resolves.toMatch(/^Draft saved .* by /);
  await expect(A.page.inputValue('#adv-summary')).resolves.toBe(SUMMARY);
});

test('the draft is stored encrypted: no row of the database holds its text', async () => {
  const drafts = await db()
    .selectFrom('messages')
    .select(['id', 'body'])
    .where('role', '=', 'advisory-draft')
    .execute();
  expect(drafts).toHaveLength(1);
  const packets = await db()
    .selectFrom('session_keys')
    .select('recipient_fingerprint')
    .where('message_id', '=', drafts[0]!.id)
    .execute();
  expect(packets).toHaveLength(2);
  expect(foundInDump(await dumpDatabaseText(s.database.url), [SECRET, 'Ada Lovelace', 'CVE-2026-12345'])).toEqual([]);
});

test('B’s browser decrypts it, exports OSV and CSAF 2.0 (both validate), and each export is audited', async () => {
  await openCase(B);
  await expect(B.page.inputValue('#adv-summary')).resolves.toBe(SUMMARY);
  const osv = await download(B.page, 'osv');
  expect(osv.name).toBe(`x_kmesh-${reference}.json`);
  expect(osvErrors(osv.json)).toEqual([]);
  expect(osv.json).toMatchObject({ id: `x_kmesh-${reference}`, summary: SUMMARY, aliases: ['CVE-2026-12345'] });
  expect(osv.json).not.toHaveProperty('published');
  const csaf = await download(B.page, 'csaf');
  const [result] = await csafResults([csaf.json]);
  expect(result!.errors).toEqual([]);
  expect(csaf.json).toMatchObject({ document: { tracking: { id: reference, status: 'draft' } } });
  const exported = (await listCaseAudit(db(), caseId)).filter((a) => a.action === 'advisory.exported');
  expect(exported.map((a) => [a.actorMemberId, a.details.format])).toEqual([
    [B.member.id, 'osv'],
    [B.member.id, 'csaf'],
  ]);
}, 120_000);

test('B proposes publishing; it passes by lazy consensus at its deadline; the case is published', async () => {
  const proposedAt = decisions.now();
  await Promise.all([
    B.page.waitForEvent('load'),
    B.page.getByRole('button', { name: 'Propose: publish the advisory' }).click(),
  ]);
  const proposal = B.page.locator('[data-proposal]', {
    has: B.page.locator('[data-proposal-title]', { hasText: /Publish the advisory/ }),
  });
  await expect(proposal.getAttribute('data-mode')).resolves.toBe('lazy');
  await expect(B.page.locator('[data-publication-proposed]').isVisible()).resolves.toBe(true);

  const { deadline_at } = await db()
    .selectFrom('proposals')
    .select('deadline_at')
    .where('case_id', '=', caseId)
    .where('kind', '=', 'publish-advisory')
    .executeTakeFirstOrThrow();
  expect(deadline_at.getTime() - proposedAt.getTime()).toBeGreaterThanOrEqual(
    s.config.decisions.lazyConsensusHours * HOUR,
  );
  const deadline = deadline_at.getTime();
  decisions.advance(deadline - decisions.now().getTime() - 60_000);
  expect(await settleProposals(db(), decisions.now())).toEqual([]);
  decisions.advance(2 * 60_000);
  expect((await settleProposals(db(), decisions.now())).map((p) => p.status)).toEqual(['passed']);

  await openCase(A);
  await expect(A.page.locator('.status-line [data-status]').innerText()).resolves.toBe('Published');
  await expect(A.page.locator('[data-advisory-published]').isVisible()).resolves.toBe(true);
  const osv = await download(A.page, 'osv');
  expect(osvErrors(osv.json)).toEqual([]);
  expect(osv.json).toHaveProperty('published');
  const [final] = await csafResults([(await download(A.page, 'csaf')).json]);
  expect(final!.errors).toEqual([]);
  expect((await verifyAuditChain(db())).ok).toBe(true);
}, 120_000);
