// The CNCF central record over HTTP, as the dashboard's bundle and a plain browser use it: only on
// the member's own Code of Conduct cases, writes need the CSRF header, hostile input is a 4xx (never
// a 500), a liaison is refused, and a plain form refused shows the case page again with the problem
// beside its field and what was typed.
import { addCaseReader } from '../../server/governance/access';
import { setCommitteeKey } from '../../server/governance/committee';
import { encryptNotice } from '../../server/browser/cncf-record';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let alice: EnrolledMember;
let erin: EnrolledMember;
let found: { id: string; reference: string };
let hidden: { id: string; reference: string };
const COMMITTEE = fixtureKey('frank');

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  alice = await enrolMember(t.db, server, 'alice', 'approver');
  await enrolMember(t.db, server, 'bob', 'approver');
  erin = await enrolMember(t.db, server, 'erin', 'liaison');
  found = await submitReport(t.db, 'coc', 'A case for the central record.');
  hidden = await submitReport(t.db, 'coc', 'alice is named in this one.', [alice.id]);
  await t.db
    .transaction()
    .execute((trx) => addCaseReader(trx, found.id, erin.id, 'liaison', { actorMemberId: null, actorLabel: 'system' }));
  await setCommitteeKey(t.db, { email: COMMITTEE.email, armoredKey: COMMITTEE.publicKey });
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

const casePath = () => `/dashboard/cases/${found.reference}`;
const apiPath = (ref = found.reference) => `/api/dashboard/cases/${ref}/cncf`;

async function csrfOf(member: EnrolledMember): Promise<string> {
  const page = await member.client.get(casePath());
  return /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
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

const notices = () => t.db.selectFrom('cncf_notices').select(['stage', 'armored', 'sent_at']).execute();

test('the committee key is given to the case’s readers, not to a liaison, a visitor or an excluded approver', async () => {
  const key = await api(alice, `${apiPath()}/committee-key`);
  expect(key.status).toBe(200);
  expect(key.json).toMatchObject({
    reference: found.reference,
    email: COMMITTEE.email,
    fingerprint: COMMITTEE.fingerprint,
  });
  expect((await api(erin, `${apiPath()}/committee-key`)).status).toBe(403);
  expect((await api(null, `${apiPath()}/committee-key`)).status).toBe(401);
  expect((await api(alice, `${apiPath(hidden.reference)}/committee-key`)).status).toBe(404);
});

test('a notice is stored only with the CSRF header, when due, and hostile JSON is refused as bad input', async () => {
  const csrf = await csrfOf(alice);
  const recipient = { reference: found.reference, ...(await api(alice, `${apiPath()}/committee-key`)).json } as never;
  const message = await encryptNotice(recipient, 'incident', 'A summary; the accused is M.');
  const body = JSON.stringify({ stage: 'incident', message });
  expect((await api(alice, `${apiPath()}/notices`, { body })).status).toBe(403);
  for (const bad of [
    '{"stage": 1, "message": "x"}',
    JSON.stringify({ stage: 'incident' }),
    JSON.stringify({ stage: 'verdict', message }),
    JSON.stringify({ stage: 'incident', message: 'nul\u0000' }),
    JSON.stringify({ stage: 'incident', message: '\ud800' }),
    '{"__proto__": {"stage": "incident"}, "message": "x"}',
    'not json',
  ])
    expect((await api(alice, `${apiPath()}/notices`, { body: bad, csrf })).status).toBe(400);
  // Not acknowledged yet: not due.
  const early = await api(alice, `${apiPath()}/notices`, { body, csrf });
  expect([early.status, early.json.error]).toEqual([
    400,
    'The incident notice is written once the case is acknowledged.',
  ]);
  expect(await notices()).toEqual([]);

  await alice.client.post(`${casePath()}/status`, { _csrf: csrf, to: 'acknowledged' });
  const page = await alice.client.get(casePath());
  expect(page.html).toContain('data-cncf-unsent');
  expect(page.html).toContain('Do not write');
  expect((await api(erin, `${apiPath()}/notices`, { body, csrf: await csrfOf(erin) })).status).toBe(403);
  expect((await api(alice, `${apiPath()}/notices`, { body, csrf })).status).toBe(201);
  // No relay in this server: it waits, as ciphertext only, and the page says so.
  expect(await notices()).toEqual([{ stage: 'incident', armored: message, sent_at: null }]);
  expect((await alice.client.get(casePath())).html).toMatch(/data-cncf-notice="incident" data-state="waiting"/);
});

test('a legal consultation form refused shows the problem beside its field and keeps what was typed', async () => {
  const csrf = await csrfOf(alice);
  const refused = await alice.client.post(`${casePath()}/cncf/legal-consultations`, {
    _csrf: csrf,
    consultedOn: '30.11.2026',
    counsel: 'other-counsel',
  });
  expect(refused.status).toBe(400);
  expect(refused.html).toContain('id="consultedOn-problem"');
  expect(refused.html).toContain('value="30.11.2026"');
  expect(refused.html).toMatch(/<option value="other-counsel" selected>/);
  expect(
    (
      await erin.client.post(`${casePath()}/cncf/legal-consultations`, {
        _csrf: await csrfOf(erin),
        consultedOn: '2026-11-30',
        counsel: 'cncf-legal',
      })
    ).status,
  ).toBe(403);

  const early = await alice.client.post(`${casePath()}/cncf/resolve`, { _csrf: csrf, remedyResolution: 'warning' });
  expect(early.status).toBe(400);
  expect(early.html).toContain('id="propose-resolve-coc-problem"');
  await alice.client.post(`${casePath()}/status`, { _csrf: csrf, to: 'investigating' });
  const unknown = await alice.client.post(`${casePath()}/cncf/resolve`, {
    _csrf: csrf,
    remedyResolution: 'permanent-ban',
  });
  expect(unknown.status).toBe(400);
  expect(unknown.html).toContain('The CNCF procedures require a legal consultation before a permanent ban');
  const months = await alice.client.post(`${casePath()}/cncf/resolve`, {
    _csrf: csrf,
    remedyResolution: 'temporary-ban',
    remedyMonths: 'six',
  });
  expect(months.status).toBe(400);
  expect(months.html).toContain('id="remedyMonths-problem"');
  expect(months.html).toContain('value="six"');

  const done = await alice.client.post(`${casePath()}/cncf/legal-consultations`, {
    _csrf: csrf,
    consultedOn: '2026-11-30',
    counsel: 'cncf-legal',
  });
  expect(done.status).toBe(303);
  expect((await alice.client.get(casePath())).html).toContain('CNCF legal, on 2026-11-30');
});
