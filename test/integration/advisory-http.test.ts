// The advisory's routes over HTTP, as the dashboard's bundle and a plain browser use them: only on
// a security case the member reads (a visitor gets 401, a liaison does not find it), writes need the
// CSRF header, hostile JSON is a 400 (never a 500) and stores nothing, and the publishing form
// refused shows the case page again with the reason beside it.
import { addCaseReader } from '../../server/governance/access';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { submitReport } from '../helpers/dashboard';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let alice: EnrolledMember;
let erin: EnrolledMember;
let sec: { id: string; reference: string };
let coc: { id: string; reference: string };

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  alice = await enrolMember(t.db, server, 'alice', 'approver');
  await enrolMember(t.db, server, 'bob', 'approver');
  erin = await enrolMember(t.db, server, 'erin', 'liaison');
  sec = await submitReport(t.db, 'security', 'A heap overflow.');
  coc = await submitReport(t.db, 'coc', 'A case erin is appointed to.');
  await t.db
    .transaction()
    .execute((trx) => addCaseReader(trx, coc.id, erin.id, 'liaison', { actorMemberId: null, actorLabel: 'system' }));
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

async function csrfOf(member: EnrolledMember, reference: string): Promise<string> {
  const page = await member.client.get(`/dashboard/cases/${reference}`);
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

const drafts = async () =>
  (await t.db.selectFrom('messages').select('id').where('role', '=', 'advisory-draft').execute()).length;

test('the draft is read only on a security case the member reads', async () => {
  const path = `/api/dashboard/cases/${sec.reference}/advisory`;
  const read = await api(alice, path);
  expect(read.status).toBe(200);
  expect(read.json).toMatchObject({ draft: null, meta: { reference: sec.reference, osvIdPrefix: 'x_kmesh-' } });
  expect((await api(null, path)).status).toBe(401);
  expect((await api(erin, path)).status).toBe(404);
  // A liaison reads its CoC case but writes no advisory.
  expect((await api(erin, `/api/dashboard/cases/${coc.reference}/advisory`)).status).toBe(403);
  expect((await api(alice, `/api/dashboard/cases/${coc.reference}/advisory`)).status).toBe(400);
});

test('a draft is stored only with the CSRF header, and hostile JSON is refused as bad input', async () => {
  const path = `/api/dashboard/cases/${sec.reference}/advisory`;
  expect((await api(alice, path, { body: JSON.stringify({ message: 'x' }) })).status).toBe(403);
  const csrf = await csrfOf(alice, sec.reference);
  for (const hostile of [
    '{"__proto__": {"message": "x"}}',
    JSON.stringify({ message: 'not an OpenPGP message' }),
    JSON.stringify({ message: '-----BEGIN PGP MESSAGE-----\u0000' }),
    JSON.stringify({ message: ['a'] }),
    '[]',
    'not json',
  ]) {
    const refused = await api(alice, path, { body: hostile, csrf });
    expect([refused.status, typeof refused.json?.error]).toEqual([400, 'string']);
  }
  const tooBig = await api(alice, path, { body: JSON.stringify({ message: 'x'.repeat(3 * 1024 * 1024) }), csrf });
  expect(tooBig.status).toBe(413);
  expect(await drafts()).toBe(0);
});

test('an export before any draft, of a draft not the current one, or in an unknown format, is refused', async () => {
  const path = `/api/dashboard/cases/${sec.reference}/advisory/exports`;
  const csrf = await csrfOf(alice, sec.reference);
  expect((await api(alice, path, { body: JSON.stringify({ format: 'osv' }) })).status).toBe(403);
  const early = await api(alice, path, { body: JSON.stringify({ format: 'osv' }), csrf });
  expect([early.status, early.json.error]).toEqual([400, expect.stringContaining('no advisory draft')]);
  expect((await api(alice, path, { body: JSON.stringify({ format: 'pdf' }), csrf })).status).toBe(400);
  expect(
    (await t.db.selectFrom('audit_log').select('id').where('action', '=', 'advisory.exported').execute()).length,
  ).toBe(0);
});

test('proposing publication from "new" shows the case page again with the reason beside the form', async () => {
  const page = await alice.client.get(`/dashboard/cases/${sec.reference}`);
  expect(page.html).toContain('data-advisory');
  expect(page.html).not.toContain('id="propose-publish-advisory"');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  const refused = await alice.client.post(`/dashboard/cases/${sec.reference}/advisory/publish`, { _csrf: csrf });
  expect(refused.status).toBe(400);
  expect(refused.html).toContain('id="propose-publish-advisory-problem"');
  expect(refused.html).toContain('An advisory is published from');
  expect(await t.db.selectFrom('proposals').select('id').execute()).toEqual([]);
});
