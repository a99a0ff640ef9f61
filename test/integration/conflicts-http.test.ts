// The conflicts part of the case page and the liaison's dashboard over HTTP, with the real mail
// queue (pg-boss, no relay): a hard conflict recorded on a reader makes the case vanish from that
// member's dashboard byte for byte as if it had never been routed to them (list, counts, unread,
// mail counter) and its URL answers exactly like a reference that does not exist; a soft one keeps
// access; a member who declares a hard conflict is sent to the dashboard with a plain message; the
// majority banner; a liaison's dashboard counts only its case, and its case page offers no workflow.
import type { MemberWithKey } from '../../db/members.queries';
import { sessionCookieName } from '../../server/http/auth-cookies';
import { startSession } from '../../server/auth/sessions';
import { authSettings } from '../../server/auth/settings';
import { addCaseMessage } from '../../server/cases/case-messages';
import { moveCase } from '../../server/cases/case-work';
import { appointLiaison } from '../../server/governance/liaison';
import { BY_SYSTEM } from '../../server/governance/governance-actor';
import { WebClient, alertText, type Page } from '../helpers/cookie-jar';
import { encryptArmored, signedIn } from '../helpers/dashboard';
import { fixtureKey, type GoodKeyName } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';

let s: MailScenario;
const clients = new Map<string, WebClient>();
let visible: { reference: string };
let visibleId: string;

beforeAll(async () => {
  s = await startMailScenario({
    relay: false,
    members: [
      ['carol', 'approver'],
      ['dave', 'approver'],
      ['erin', 'approver'],
      ['frank', 'liaison'],
    ],
  });
  const settings = authSettings(s.config);
  for (const name of ['carol', 'dave', 'erin', 'frank'] as const) {
    const client = new WebClient(s.webUrl);
    client.jar.set(sessionCookieName(settings), await startSession(s.database.db, member(name).id, settings));
    clients.set(name, client);
  }
  visible = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', 'Spam in chat.'),
    attachments: [],
  });
  visibleId = (
    await s.database.db
      .selectFrom('cases')
      .select('id')
      .where('reference', '=', visible.reference)
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => s?.close());

const member = (name: GoodKeyName): MemberWithKey => s.members[name]!;
const client = (name: string) => clients.get(name)!;
/** A page as text, the per-response CSRF tokens blanked: nothing else may differ. */
const normalised = (page: Page) => page.html.replace(/(name="_csrf" value|data-csrf)="[^"]*"/g, '$1=""');
async function html(name: string, path: string, status = 200): Promise<string> {
  const page = await client(name).get(path);
  expect(page.status).toBe(status);
  return normalised(page);
}
const casePath = (reference: string) => `/dashboard/cases/${reference}`;

test('a hard conflict: the case vanishes from his dashboard exactly as if never routed, and its URL is a 404 like any unknown case', async () => {
  const daveBefore = await html('dave', '/dashboard');
  expect(daveBefore).toContain('1 in all');
  expect(daveBefore).toContain('1 to you waiting');

  const hot = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', 'Dave insulted a contributor.'),
    attachments: [],
  });
  const daveRouted = await html('dave', '/dashboard');
  expect(daveRouted).toContain(hot.reference);
  expect(daveRouted).toContain('2 to you waiting');

  // carol records it through the case page's form.
  const page = await client('carol').get(casePath(hot.reference));
  expect(page.html).toContain('data-record-conflict');
  const done = await client('carol').submit(page, `/dashboard/cases/${hot.reference}/conflicts`, {
    memberId: member('dave').id,
    ground: 'accused-or-target',
  });
  expect(done.status).toBe(303);
  expect(done.location).toBe(casePath(hot.reference));
  const after = await client('carol').follow(done);
  expect(after.html).toMatch(
    new RegExp(`data-member-id="${member('dave').id}" data-level="hard" data-effective="hard"`),
  );
  expect(after.html).toContain(`recorded by ${member('carol').name}`);
  // carol's own readers line no longer names dave.
  expect(after.html).not.toMatch(new RegExp(`<dt>Readers</dt><dd>[^<]*${member('dave').name}`));

  // Every figure of his dashboard is what it was before the case arrived (the case-routed mail to him too).
  expect(await html('dave', '/dashboard')).toBe(daveBefore);
  for (const query of ['?kind=coc', '?status=new', '?assigned=none', '?sort=oldest'])
    expect(await html('dave', `/dashboard${query}`)).not.toContain(hot.reference);
  const gone = await html('dave', casePath(hot.reference), 404);
  const missing = await html('dave', casePath('COC-2099-9999'), 404);
  expect(gone.replaceAll(hot.reference, 'REF')).toBe(missing.replaceAll('COC-2099-9999', 'REF'));
  expect((await client('dave').get(`/api/dashboard/cases/${hot.reference}/messages`)).status).toBe(404);
});

test('a soft conflict keeps access; a refused form keeps what was typed beside the field', async () => {
  const c = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', 'A rude review.'),
    attachments: [],
  });
  let page = await client('carol').get(casePath(c.reference));
  const refused = await client('carol').submit(page, `/dashboard/cases/${c.reference}/conflicts`, {
    memberId: '',
    ground: 'same-employer',
  });
  expect(refused.status).toBe(400);
  expect(alertText(refused.html)).toMatch(/Choose a member/);
  expect(refused.html).toContain('id="memberId-problem"');
  expect(refused.html).toContain('<option value="same-employer" selected>');

  page = await client('carol').get(casePath(c.reference));
  const done = await client('carol').submit(page, `/dashboard/cases/${c.reference}/conflicts`, {
    memberId: member('erin').id,
    ground: 'same-employer',
  });
  expect(done.status).toBe(303);
  const erinPage = await client('erin').get(casePath(c.reference));
  expect(erinPage.status).toBe(200);
  expect(erinPage.html).toMatch(
    new RegExp(`data-member-id="${member('erin').id}" data-level="soft" data-effective="soft"`),
  );
  // The form lists the project's members but not oneself.
  const form = /<form[^>]*data-record-conflict>[\s\S]*?<\/form>/.exec(erinPage.html)![0];
  expect(form).not.toContain(`<option value="${member('erin').id}"`);
  expect(form).toContain(`<option value="${member('carol').id}"`);
  expect(form).toContain(`<option value="${member('frank').id}"`);
});

test('declaring one’s own hard conflict sends the member to the dashboard with a plain message; a majority shows the banner', async () => {
  const c = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', 'Dave and Erin both.'),
    attachments: [],
    involved: [member('dave').id],
  });
  // One of three approvers named by the reporter: no banner yet.
  let carolPage = await html('carol', casePath(c.reference));
  expect(carolPage).toContain('named by the reporter');
  expect(carolPage).not.toContain('data-majority-conflicted');

  const page = await client('erin').get(casePath(c.reference));
  const done = await client('erin').submit(page, `/dashboard/cases/${c.reference}/conflicts/declare`, {
    declareGround: 'close-relationship',
  });
  expect(done.status).toBe(303);
  expect(done.location).toBe('/dashboard?left=conflict');
  const dashboard = await client('erin').follow(done);
  expect(dashboard.html).toContain('data-left-case');
  expect(dashboard.html).toContain('You declared a hard conflict of interest');
  expect(dashboard.html).not.toContain(c.reference);
  expect((await client('erin').get(casePath(c.reference))).status).toBe(404);

  carolPage = await html('carol', casePath(c.reference));
  expect(carolPage).toContain('data-majority-conflicted');
  expect(carolPage).toContain('require referring it to the CNCF Code of Conduct Committee');
  expect(carolPage).toContain('declared by themself');
  expect(carolPage).not.toContain('the referral is proposed');
  // Once the referral is proposed (by the system, as the decisions module does), the banner says so.
  const caseRow = await s.database.db
    .selectFrom('cases')
    .select('id')
    .where('reference', '=', c.reference)
    .executeTakeFirstOrThrow();
  await s.database.db
    .insertInto('proposals')
    .values({ case_id: caseRow.id, kind: 'refer', deadline_at: new Date(Date.now() + 86_400_000) })
    .execute();
  expect(await html('carol', casePath(c.reference))).toContain('the referral is proposed');
});

test("the liaison's dashboard counts only its case; its case page offers no workflow and refuses it with 403", async () => {
  await s.database.db
    .transaction()
    .execute((trx) => appointLiaison(trx, visibleId, member('frank').id, { ...BY_SYSTEM }));
  const frankBefore = await html('frank', '/dashboard');
  expect(frankBefore).toContain(visible.reference);
  expect(frankBefore).toContain('1 in all');

  // Others' cases arrive and are worked on, queueing mail to their readers.
  const other = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', 'Elsewhere.'),
    attachments: [],
  });
  const carol = signedIn(member('carol'));
  const note = await encryptArmored('Looking into it.', [
    fixtureKey('carol').publicKey,
    fixtureKey('dave').publicKey,
    fixtureKey('erin').publicKey,
  ]);
  await addCaseMessage(s.database.db, carol, other.reference, 'comment', note, s.mail.events);
  await moveCase(s.database.db, carol, other.reference, 'acknowledged');
  await submitThroughForm(s.webUrl, { kind: 'security', fields: fieldText('security', 'An XSS.'), attachments: [] });
  expect(await html('frank', '/dashboard')).toBe(frankBefore);

  const casePage = await client('frank').get(casePath(visible.reference));
  expect(casePage.status).toBe(200);
  for (const hidden of [
    '/status"',
    '/assign"',
    '/embargo"',
    '/reopen"',
    'data-composer="reply"',
    'data-record-conflict',
  ])
    expect(casePage.html).not.toContain(hidden);
  expect(casePage.html).toContain('data-liaison-limits');
  expect(casePage.html).toContain('data-entry-decision');
  expect(casePage.html).toContain('data-committee-closed');
  expect(casePage.html).toContain('data-declare-conflict');

  // The forms are not there, and posting them anyway is refused in plain words (the CSRF token is the page's).
  const token = /name="_csrf" value="([^"]+)"/.exec(casePage.html)![1]!;
  for (const [path, fields] of [
    ['status', { to: 'acknowledged' }],
    ['assign', { assignee: member('frank').id }],
    ['embargo', { embargoUntil: '2027-01-01' }],
    ['reopen', { reason: 'again' }],
  ] as const) {
    const refused = await client('frank').post(`/dashboard/cases/${visible.reference}/${path}`, {
      _csrf: token,
      ...fields,
    });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('A liaison cannot');
  }
  const row = await s.database.db
    .selectFrom('cases')
    .select(['status', 'assignee_id', 'embargo_until'])
    .where('id', '=', visibleId)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ status: 'new', assignee_id: null, embargo_until: null });
});
