// The decisions part of a Code of Conduct case and the decisions page in headless Chromium: an
// approver votes from the case page with a plain form (PRG), sees the tally change, and the pages
// pass axe-core with no serious or critical violation before and after.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeViolations, launchChromium, seriousAxeViolations } from '../helpers/browser';
import { signedIn, submitReport } from '../helpers/dashboard';
import { signInInBrowser } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { DECISION_EFFECTS } from '../../server/governance/decision-effects';
import { callVote, propose, type DecisionContext } from '../../server/governance/decisions';
import type { MemberWithKey } from '../../db/members.queries';

let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let coc: { reference: string; id: string };
let proposalId: string;
const members: Partial<Record<'alice' | 'bob' | 'dave', EnrolledMember>> = {};

async function expectNoSeriousViolations(p: Page): Promise<void> {
  const violations = await seriousAxeViolations(p);
  if (violations.length > 0) console.log(`axe on ${p.url()}:\n${describeViolations(violations)}`);
  expect(violations.map((v) => v.id)).toEqual([]);
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  for (const name of ['alice', 'bob', 'dave'] as const)
    members[name] = await enrolMember(t.db, server, name, 'approver');
  const carol = await addFixtureMember(t.db, 'carol', 'approver');
  coc = await submitReport(t.db, 'coc', 'A maintainer mocked a newcomer.', [carol.id]);
  const as = async (name: 'alice' | 'dave') =>
    signedIn({
      ...(await t.db
        .selectFrom('members')
        .select(['id', 'name', 'email'])
        .where('id', '=', members[name]!.id)
        .executeTakeFirstOrThrow()),
      role: 'approver',
    } as MemberWithKey);
  const ctx: DecisionContext = {
    now: new Date(),
    periods: { lazyConsensusHours: 72, cocLazyConsensusHours: 24 },
    // The referral's own check belongs to another module: a vote that stays open needs none.
    effects: { ...DECISION_EFFECTS, refer: { check: async () => undefined, apply: async () => undefined } },
  };
  proposalId = await propose(t.db, await as('alice'), { reference: coc.reference }, { kind: 'refer' }, ctx);
  await callVote(t.db, await as('dave'), { reference: coc.reference }, proposalId, 'demand', ctx);
  context = await browser.newContext({ bypassCSP: true });
  page = await context.newPage();
  await signInInBrowser(page, server, members.alice!);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

test('an approver votes from the case page and sees the tally; the part passes axe before and after', async () => {
  await page.goto(`${server.url}/dashboard/cases/${coc.reference}`);
  const item = page.locator(`[data-proposal="${proposalId}"]`);
  await expect(item.locator('[data-proposal-title]').innerText()).resolves.toBe(
    'Refer this case to the CNCF CoC Committee',
  );
  await expect(item.locator('[data-tally]').getAttribute('data-yes')).resolves.toBe('0');
  await expectNoSeriousViolations(page);
  await item.getByRole('button', { name: 'Vote yes' }).click();
  await page.waitForLoadState('load');
  expect(new URL(page.url()).pathname).toBe(`/dashboard/cases/${coc.reference}`);
  const after = page.locator(`[data-proposal="${proposalId}"]`);
  await expect(after.locator('[data-tally]').innerText()).resolves.toBe(
    '1 yes, 0 no, 0 abstain, of 3 eligible approvers; 2 yes needed.',
  );
  await expect(after.locator('[data-my-ballot]').getAttribute('data-my-ballot')).resolves.toBe('yes');
  await expectNoSeriousViolations(page);
});

test('the decisions page, reached from the nav, lists the open vote and passes axe', async () => {
  await page.getByRole('link', { name: 'Decisions', exact: true }).click();
  await page.waitForURL(`${server.url}/dashboard/decisions`);
  await expect(page.locator(`[data-case-proposal="${proposalId}"]`).innerText()).resolves.toContain(coc.reference);
  await expectNoSeriousViolations(page);
});
