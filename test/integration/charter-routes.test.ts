// The dashboard's charter page over HTTP, with members signed in through the real flow: approvers
// only (a nav link for them, 404 for anyone else), every setting with its value, origin and the
// majority it needs, a form per setting that proposes a change (PRG to the decisions page), refusals
// beside their form with what was typed, CSRF; a passed change shows with a link to its decision,
// and the public pages promise the new time at once.
import { WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixtureKey } from '../helpers/keys';
import { enrolMember, TestClock, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { startTestServer } from '../helpers/server';

let t: TestDatabase;
let server: AuthTestServer;
const governanceClock = new TestClock();
const m: Record<'alice' | 'bob' | 'dave' | 'erin', EnrolledMember> = {} as never;

beforeAll(async () => {
  t = await createTestDatabase();
  const clock = new TestClock();
  const running = await startTestServer(t.db, {}, { clock: clock.now, governanceClock: governanceClock.now });
  server = { ...running, clock };
  for (const name of ['alice', 'bob', 'dave'] as const) m[name] = await enrolMember(t.db, server, name, 'approver');
  m.erin = await enrolMember(t.db, server, 'erin', 'srt');
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

const settingRow = (html: string, key: string) =>
  new RegExp(`<tr data-setting="${key.replace(/\./g, '\\.')}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
const charter = (name: keyof typeof m = 'alice') => m[name].client.get('/dashboard/charter');
const proposalOf = (key: string) =>
  t.db
    .selectFrom('proposals')
    .select(['id', 'status', 'threshold', 'payload'])
    .where('subject_key', '=', key)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();

test('approvers see every setting and the majority it needs; anyone else finds no page and no link', async () => {
  const page = await charter();
  expect(page.status).toBe(200);
  expect(page.html).toContain('data-nav-charter');
  expect(page.html).toContain('href="/dashboard/srt"');
  const ack = settingRow(page.html, 'acknowledge-days.security');
  expect(ack).toContain('data-threshold="two-thirds"');
  expect(ack).toContain('2 days');
  expect(settingRow(page.html, 'transparency.small-count')).toContain('data-threshold="majority"');
  expect(settingRow(page.html, 'cncf-committee')).toContain('conduct@cncf.io');
  expect(page.html).toContain('data-propose-setting="retention-days.coc"');

  const erin = await m.erin.client.get('/dashboard/charter');
  expect(erin.status).toBe(404);
  expect((await m.erin.client.get('/dashboard')).html).not.toContain('data-nav-charter');
});

test('a refused value is shown beside its form with what was typed; nothing is proposed', async () => {
  const zero = await m.bob.client.submit(await charter('bob'), '/dashboard/charter/proposals', {
    key: 'acknowledge-days.coc',
    value: '0',
  });
  expect(zero.status).toBe(400);
  expect(zero.html).toContain('href="#setting-acknowledge-days.coc"');
  expect(zero.html).toContain('whole number of days from 1 to 60');
  expect(zero.html).toMatch(/id="setting-acknowledge-days\.coc-value"[^>]*value="0"/);
  const same = await m.bob.client.submit(await charter('bob'), '/dashboard/charter/proposals', {
    key: 'acknowledge-days.coc',
    value: '3',
  });
  expect(same.status).toBe(400);
  expect(same.html).toContain('is 3 days already');
  const unknown = await m.bob.client.submit(await charter('bob'), '/dashboard/charter/proposals', {
    key: '__proto__',
    value: '3',
  });
  expect(unknown.status).toBe(400);
  expect(unknown.html).toContain('Choose a setting from this page.');
  const noToken = await m.bob.client.post('/dashboard/charter/proposals', { key: 'acknowledge-days.coc', value: '4' });
  expect(noToken.status).toBe(403);
  expect(await proposalOf('acknowledge-days.coc')).toBeUndefined();
});

test('a two-thirds change is proposed as a vote, passes with two of three, and the public pages promise it', async () => {
  const before = await new WebClient(server.url).get('/report');
  expect(before.html).toContain('within 2 business days');
  const proposed = await m.alice.client.submit(await charter(), '/dashboard/charter/proposals', {
    key: 'acknowledge-days.security',
    value: '4',
  });
  expect([proposed.status, proposed.location]).toEqual([303, '/dashboard/decisions']);
  const p = (await proposalOf('acknowledge-days.security'))!;
  expect(p).toMatchObject({ status: 'open', threshold: 'two-thirds', payload: 4 });
  const decisions = await m.alice.client.follow(proposed);
  expect(decisions.html).toContain('Change “Days to acknowledge a security report” to 4 days');
  expect((await charter()).html).toContain(`data-open-proposal="${p.id}"`);

  for (const name of ['alice', 'bob'] as const) {
    const page = await m[name].client.get('/dashboard/decisions');
    const voted = await m[name].client.submit(page, `/dashboard/decisions/proposals/${p.id}/ballot`, { choice: 'yes' });
    expect(voted.status).toBe(303);
  }
  expect((await proposalOf('acknowledge-days.security'))!.status).toBe('passed');
  const row = settingRow((await charter()).html, 'acknowledge-days.security');
  expect(row).toContain('4 days');
  expect(row).toContain(`href="/dashboard/decisions#proposal-${p.id}"`);
  const after = await new WebClient(server.url).get('/report');
  expect(after.html).toContain('within 4 business days');
});

test('the committee’s address and key are proposed with the form, for a simple majority', async () => {
  const frank = fixtureKey('frank');
  const mismatch = await m.dave.client.submit(await charter('dave'), '/dashboard/charter/proposals', {
    key: 'cncf-committee',
    email: 'conduct@cncf.io',
    publicKey: frank.publicKey,
  });
  expect(mismatch.status).toBe(400);
  expect(mismatch.html).toContain('no user ID for conduct@cncf.io');
  expect(mismatch.html).toContain('value="conduct@cncf.io"');
  const proposed = await m.dave.client.submit(await charter('dave'), '/dashboard/charter/proposals', {
    key: 'cncf-committee',
    email: frank.email,
    publicKey: frank.publicKey,
  });
  expect(proposed.status).toBe(303);
  const p = (await proposalOf('cncf-committee'))!;
  expect(p).toMatchObject({ status: 'open', threshold: 'majority' });
  expect(p.payload).toMatchObject({ email: frank.email, fingerprint: frank.fingerprint });
  expect((await m.dave.client.follow(proposed)).html).toContain(
    `Make ${frank.email} (key ${frank.fingerprint}) the CNCF Code of Conduct Committee’s address and key`,
  );
  // Until it passes, the committee has no key.
  expect(await t.db.selectFrom('committee_keys').select('id').execute()).toEqual([]);
});
