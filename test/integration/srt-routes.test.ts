// The SRT page over HTTP with members signed in through the real flow: approvers only (linked in
// their nav; anyone else finds no page and no form), the team and the review's due date, the forms
// with CSRF, bad input shown beside its form with what was chosen kept, a proposal that passes by
// lazy consensus, and the approvers who leave the SRT: their dashboard is byte for byte that of an
// approver who never read the case, and the case answers 404 like a missing one.
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { submitReport } from '../helpers/dashboard';
import { alertText } from '../helpers/cookie-jar';
import { enrolMember, TestClock, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startTestServer } from '../helpers/server';

let t: TestDatabase;
let server: AuthTestServer;
const governanceClock = new TestClock();
const m: Record<'alice' | 'bob' | 'carol' | 'erin' | 'frank' | 'gina', EnrolledMember> = {} as never;
let security: { reference: string; id: string };

beforeAll(async () => {
  t = await createTestDatabase();
  const clock = new TestClock();
  const running = await startTestServer(t.db, {}, { clock: clock.now, governanceClock: governanceClock.now });
  server = { ...running, clock };
  for (const name of ['alice', 'bob'] as const) m[name] = await enrolMember(t.db, server, name, 'approver');
  m.erin = await enrolMember(t.db, server, 'erin', 'srt');
  m.frank = await enrolMember(t.db, server, 'frank', 'liaison');
  // erin alone on the delegated team: below two, so the approvers read security reports too.
  security = await submitReport(t.db, 'security', 'A bug the approvers read while the team is below two.');
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

const PAGE = '/dashboard/srt';
const field = (id: string) => `member-${id}`;
/** The CSRF tokens differ per response, the key-session tag per member, and the member's own name and address; nothing else may. */
const csrfFree = (html: string) => html.replace(/(name="_csrf" value|data-csrf|data-key-session)="[^"]*"/g, '$1=""');

async function normalised(html: string, who: EnrolledMember): Promise<string> {
  const { name } = await t.db.selectFrom('members').select('name').where('id', '=', who.id).executeTakeFirstOrThrow();
  return csrfFree(html).replaceAll(who.email, 'ME').replaceAll(name, 'ME');
}

test('approvers find the page in their nav, with the team, the warning below two and the due date', async () => {
  const page = await m.alice.client.get(PAGE);
  expect(page.status).toBe(200);
  expect(page.html).toContain('data-nav-srt');
  expect(page.html).toContain('data-srt-team="delegated"');
  expect(page.html).toContain(`data-srt-member="${m.erin.id}"`);
  expect(page.html).toContain('appointed by the operator, setting up the installation');
  expect(page.html).toContain('data-srt-warning');
  expect(page.html).toMatch(/data-srt-review="not-due"[\s\S]*data-srt-due>\d{4}-\d\d-\d\d</);
  // Liaisons are not offered; erin is ticked as on the team.
  expect(page.html).not.toContain(field(m.frank.id));
  expect(page.html).toMatch(new RegExp(`name="${field(m.erin.id)}" value="yes" checked`));
  // The case list shows when the review is due; the warning is on every page of the approvers and of erin.
  const list = await m.alice.client.get('/dashboard');
  expect(list.html).toContain('data-srt-notice="review-due"');
  expect(list.html).toContain('data-srt-notice="team-below-two"');
  expect((await m.erin.client.get('/dashboard/key')).html).toContain('data-srt-notice="team-below-two"');
  expect((await m.erin.client.get('/dashboard')).html).not.toContain('data-srt-notice="review-due"');
});

test('anyone but an approver finds no page and no form, exactly like a missing page', async () => {
  for (const client of [m.erin.client, m.frank.client]) {
    const missing = await client.get('/dashboard/no-such-page');
    expect(missing.status).toBe(404);
    const page = await client.get(PAGE);
    expect([page.status, csrfFree(page.html)]).toEqual([404, csrfFree(missing.html)]);
    expect(page.html).not.toContain('data-nav-srt');
    const token = (await client.get('/dashboard/key')).html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? '';
    for (const path of [`${PAGE}/appoint`, `${PAGE}/review`]) {
      const posted = await client.post(path, { _csrf: token, team: 'approvers' });
      expect([path, posted.status]).toEqual([path, 404]);
    }
  }
  expect(await t.db.selectFrom('proposals').select('id').execute()).toEqual([]);
});

test('a form without its CSRF token is refused; bad input comes back beside its form with the choice kept', async () => {
  expect((await m.alice.client.post(`${PAGE}/appoint`, { team: 'approvers' })).status).toBe(403);
  const page = await m.alice.client.get(PAGE);
  const one = await m.alice.client.submit(page, `${PAGE}/appoint`, { team: 'delegated', [field(m.erin.id)]: 'yes' });
  expect(one.status).toBe(400);
  expect(one.html).toContain('id="propose-appoint-srt-problem"');
  expect(one.html).toContain('needs at least 2 members');
  expect(one.html).toMatch(/id="team-delegated" name="team" value="delegated" checked/);
  const liaison = await m.alice.client.submit(page, `${PAGE}/appoint`, {
    team: 'delegated',
    [field(m.erin.id)]: 'yes',
    [field(m.frank.id)]: 'yes',
  });
  expect([liaison.status, liaison.html.includes('is a liaison')]).toEqual([400, true]);
  const nonsense = await m.alice.client.submit(page, `${PAGE}/appoint`, { team: '\u0000' });
  expect(nonsense.status).toBe(400);
  // The review cannot be recorded while the team is below two.
  const review = await m.alice.client.submit(page, `${PAGE}/review`, {});
  expect([review.status, review.html.includes('id="propose-srt-reviewed-problem"')]).toEqual([400, true]);
  expect(await t.db.selectFrom('proposals').select('id').execute()).toEqual([]);
});

test('a delegated team passes by lazy consensus; the approver who leaves reads nothing of the case any more', async () => {
  // Setting up, the operator adds a second member: the team is {erin, gina}.
  m.gina = await enrolMember(t.db, server, 'gina', 'srt');
  expect((await m.alice.client.get(PAGE)).html).not.toContain('data-srt-warning');
  // The approvers decide on {bob, erin, gina}: alice leaves; erin and bob stay and read the case, so at once.
  expect((await m.alice.client.get(`/dashboard/cases/${security.reference}`)).status).toBe(200);
  const page = await m.alice.client.get(PAGE);
  const proposed = await m.alice.client.submit(page, `${PAGE}/appoint`, {
    team: 'delegated',
    [field(m.bob.id)]: 'yes',
    [field(m.erin.id)]: 'yes',
    [field(m.gina.id)]: 'yes',
  });
  expect([proposed.status, proposed.location, alertText(proposed.html)]).toEqual([303, `${PAGE}?proposed=1`, '']);
  const after = await m.alice.client.follow(proposed);
  expect(after.html).toContain('data-srt-proposed');
  expect(after.html).toContain('Appoint a delegated Security Response Team of 3 members</a>: ');
  for (const who of [m.bob, m.erin, m.gina]) {
    const { name } = await t.db.selectFrom('members').select('name').where('id', '=', who.id).executeTakeFirstOrThrow();
    expect(after.html).toMatch(new RegExp(`data-srt-proposal[^\n]*${name}`));
  }
  const [row] = await t.db.selectFrom('proposals').select(['kind', 'payload']).execute();
  expect(row).toEqual({
    kind: 'appoint-srt',
    payload: { team: 'delegated', memberIds: [m.bob.id, m.erin.id, m.gina.id].sort() },
  });

  governanceClock.advance(73 * 3_600_000);
  const settled = await m.bob.client.get(PAGE);
  expect(settled.html).toContain(`data-srt-member="${m.bob.id}"`);
  expect(settled.html).toContain('appointed by decision of the approvers');
  expect(settled.html).not.toContain('data-srt-warning');
  expect(settled.html).toContain('a year after the team was last appointed');

  // alice left the SRT; carol, an approver added now, never read the case.
  m.carol = await enrolMember(t.db, server, 'carol', 'approver');
  const missing = await m.alice.client.get('/dashboard/cases/SEC-2099-ZZZZ');
  const gone = await m.alice.client.get(`/dashboard/cases/${security.reference}`);
  expect(gone.status).toBe(404);
  expect(gone.html.replaceAll(security.reference, 'REF')).toEqual(missing.html.replaceAll('SEC-2099-ZZZZ', 'REF'));
  const aliceList = await normalised((await m.alice.client.get('/dashboard')).html, m.alice);
  const carolList = await normalised((await m.carol.client.get('/dashboard')).html, m.carol);
  expect(aliceList).not.toContain(security.reference);
  expect(aliceList).toEqual(carolList);
  // bob, an approver on the team, keeps it.
  expect((await m.bob.client.get(`/dashboard/cases/${security.reference}`)).status).toBe(200);
});
