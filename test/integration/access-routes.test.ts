// The grant API and the "send later messages" form over HTTP, as the dashboard's bundle and a plain
// browser use them: only over the member's own cases, writes need the CSRF header, hostile JSON is a
// 400 (never a 500), and a form refused shows the case page again with the problem.
import { addCaseReader } from '../../server/governance/access';
import { rewrapForGrantee } from '../../server/browser/grants';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { submitReport } from '../helpers/dashboard';
import { fixturePrivateKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let alice: EnrolledMember;
let erin: EnrolledMember;
let found: { id: string; reference: string };
let hidden: { id: string; reference: string };

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  alice = await enrolMember(t.db, server, 'alice', 'approver');
  await enrolMember(t.db, server, 'bob', 'approver');
  erin = await enrolMember(t.db, server, 'erin', 'liaison');
  found = await submitReport(t.db, 'coc', 'A case erin is appointed to.');
  hidden = await submitReport(t.db, 'coc', 'alice is named in this one.', [alice.id]);
  await t.db
    .transaction()
    .execute((trx) => addCaseReader(trx, found.id, erin.id, 'liaison', { actorMemberId: null, actorLabel: 'system' }));
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

async function csrfOf(member: EnrolledMember): Promise<string> {
  const page = await member.client.get(`/dashboard/cases/${found.reference}`);
  return /data-csrf="([^"]+)"/.exec(page.html)![1]!;
}

async function api(member: EnrolledMember | null, path: string, init: { body?: string; csrf?: string } = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(member ? { cookie: member.client.jar.header() } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.csrf ? { 'x-csrf-token': init.csrf } : {}),
    },
    body: init.body,
  });
  return { status: response.status, json: (await response.json().catch(() => null)) as Record<string, unknown> };
}

const erinPackets = async () =>
  (
    await t.db
      .selectFrom('session_keys')
      .select('message_id')
      .where('member_key_id', 'in', (eb) => eb.selectFrom('member_keys').select('id').where('member_id', '=', erin.id))
      .execute()
  ).length;

test('the list names only the member’s own cases; a liaison has nothing to grant; a visitor nothing at all', async () => {
  expect((await api(alice, '/api/dashboard/grants')).json).toEqual({ cases: [found.reference] });
  expect((await api(erin, '/api/dashboard/grants')).json).toEqual({ cases: [] });
  expect((await api(null, '/api/dashboard/grants')).status).toBe(401);
  expect((await api(alice, `/api/dashboard/cases/${hidden.reference}/grants`)).status).toBe(404);
});

test('a grant is stored only with the CSRF header, and hostile JSON is refused as bad input', async () => {
  const work = await api(alice, `/api/dashboard/cases/${found.reference}/grants`);
  const [task] = work.json.grantees as Parameters<typeof rewrapForGrantee>[1][];
  expect(task!.grantee).toBe(`member:${erin.id}`);
  const packets = await rewrapForGrantee(await fixturePrivateKey('alice'), task!);
  const path = `/api/dashboard/cases/${found.reference}/grants`;
  const body = JSON.stringify({ grantee: task!.grantee, packets });

  expect((await api(alice, path, { body })).status).toBe(403);
  const csrf = await csrfOf(alice);
  for (const hostile of [
    '{"__proto__": {"grantee": "member:x"}, "packets": []}',
    JSON.stringify({ grantee: `${task!.grantee}\u0000`, packets }),
    JSON.stringify({ grantee: task!.grantee, packets: [{ messageId: 'constructor', packet: packets[0]!.packet }] }),
    JSON.stringify({ grantee: task!.grantee, packets: { length: 1 } }),
    '"just a string"',
    'not json',
  ]) {
    const refused = await api(alice, path, { body: hostile, csrf });
    expect([refused.status, typeof refused.json?.error]).toEqual([400, 'string']);
  }
  expect(await erinPackets()).toBe(0);
  expect((await api(alice, path, { body: 'x'.repeat(5 * 1024 * 1024), csrf })).status).toBe(413);
  // The same packets posted to a case alice does not read: as if it did not exist.
  expect(
    (await api(alice, `/api/dashboard/cases/${hidden.reference}/grants`, { body, csrf: await csrfOf(alice) })).status,
  ).toBe(404);

  const stored = await api(alice, path, { body, csrf: await csrfOf(alice) });
  expect([stored.status, stored.json]).toEqual([201, { stored: 1 }]);
  expect(await erinPackets()).toBe(1);
  // erin reports it (as her browser would when it does not decrypt): it goes back to pending.
  const failure = await api(erin, `${path}/failures`, {
    body: JSON.stringify({ messageIds: packets.map((p) => p.messageId) }),
    csrf: await csrfOf(erin),
  });
  expect([failure.status, failure.json]).toEqual([200, { withdrawn: 1 }]);
  expect(await erinPackets()).toBe(0);
});

test('"Send later messages" on a case never referred shows the case page again with the reason', async () => {
  const page = await alice.client.get(`/dashboard/cases/${found.reference}`);
  expect(page.html).not.toContain('data-refer-later');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  const refused = await alice.client.post(`/dashboard/cases/${found.reference}/referral/later`, { _csrf: csrf });
  expect(refused.status).toBe(400);
  expect(refused.html).toContain('has not been referred to the CNCF CoC Committee');
  expect(await t.db.selectFrom('case_referrals').select('id').execute()).toEqual([]);
});
