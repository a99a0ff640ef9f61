// Reopening a closed case (issue 8 item 6) on a real PostgreSQL: every closed state of each kind
// reopens to the issue's state, only with a reason, which is stored as a note encrypted to the
// readers and never in the audit log; closing moves over HTTP need a confirmation step.
import type { MemberWithKey } from '../../db/members.queries';
import { caseTimeline } from '../../db/case-view.queries';
import { decryptSplit } from '../../crypto/split-message';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import { reopenCase } from '../../server/cases/case-reopen';
import { FieldError } from '../../server/field-errors';
import { STATES } from '../../server/cases/workflow';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import {
  auditRowCount,
  domainErrorOf,
  encryptArmored,
  recordingEvents,
  signedIn,
  submitReport,
} from '../helpers/dashboard';
import { EXPECTED_REOPEN } from '../helpers/expected-workflow';
import { fixtureKey, fixturePrivateKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { canary } from '../helpers/report-scenario';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
let sec: { reference: string; id: string };
let coc: { reference: string; id: string };
const events = recordingEvents();

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver' });
  sec = await submitReport(t.db, 'security', 'Heap overflow in the parser.');
  coc = await submitReport(t.db, 'coc', 'Harassment in a review thread.');
});
afterAll(async () => {
  await t.destroy();
});

const alice = () => signedIn(cast.alice as MemberWithKey);
const carol = () => signedIn(cast.carol as MemberWithKey);
const statusOf = async (id: string) =>
  await t.db
    .selectFrom('cases')
    .select(['status', 'duplicate_of', 'resolution'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const setStatus = (id: string, status: string, extra: { duplicate_of?: string; resolution?: string } = {}) =>
  t.db
    .updateTable('cases')
    .set({ status, ...extra })
    .where('id', '=', id)
    .execute();

async function noteText(caseId: string, messageId: string, reader: 'alice' | 'bob' | 'carol'): Promise<string> {
  const member = cast[reader]!;
  const entry = (await caseTimeline(t.db, caseId, member.id)).find((m) => m.id === messageId)!;
  const { data } = await decryptSplit({
    sessionKeyPacket: entry.packet!,
    body: entry.body,
    decryptionKey: await fixturePrivateKey(reader),
  });
  return data as string;
}

describe.each([
  ['security', () => sec, alice, ['alice', 'bob'] as const],
  ['coc', () => coc, carol, ['carol'] as const],
] as const)('a closed %s case', (kind, target, member, readers) => {
  const closed = Object.keys(STATES[kind]).filter((s) => STATES[kind][s]!.terminal);

  test.each(closed)(`reopens from "%s" to the issue's state, with the reason as an encrypted note`, async (from) => {
    const { id, reference } = target();
    await setStatus(id, from, { duplicate_of: 'SEC-2026-0042', resolution: 'warning' });
    const reason = `The reporter sent new evidence. ${canary(`reopen-${from}`)}`;
    const { to } = await reopenCase(t.db, member(), reference, { text: reason }, events);
    expect(to).toBe(EXPECTED_REOPEN[kind]);
    expect(await statusOf(id)).toEqual({ status: EXPECTED_REOPEN[kind], duplicate_of: null, resolution: null });

    const last = (await listCaseAudit(t.db, id)).slice(-2);
    expect(last.map((a) => a.action)).toEqual(['case.comment-added', 'case.status-changed']);
    const noteId = last[1]!.details.noteId as string;
    expect(last[1]!.details).toEqual({ from, to: EXPECTED_REOPEN[kind], reopened: true, noteId });
    expect(last[0]!.details).toEqual({ messageId: noteId });
    // Every reader decrypts the note; the reason is nowhere in the audit log, nor any message body in the clear.
    for (const reader of readers) expect(await noteText(id, noteId, reader)).toBe(reason);
    const allAudit = await t.db.selectFrom('audit_log').select('details').execute();
    expect(JSON.stringify(allAudit)).not.toContain(canary(`reopen-${from}`));
    const { body } = await t.db
      .selectFrom('messages')
      .select('body')
      .where('id', '=', noteId)
      .executeTakeFirstOrThrow();
    expect(body.includes(Buffer.from(canary(`reopen-${from}`)))).toBe(false);
    expect(events.calls.at(-1)).toBe(`messageAdded:${id}:${member().id}`);
  });
});

test('a reason encrypted in the browser is taken as it is; one not addressed to every reader is refused', async () => {
  await setStatus(sec.id, 'spam');
  const refused = await domainErrorOf(
    reopenCase(
      t.db,
      alice(),
      sec.reference,
      { message: await encryptArmored('only for alice', [fixtureKey('alice').publicKey]) },
      events,
    ),
  );
  expect(refused.kind).toBe('bad-input');
  expect((await statusOf(sec.id)).status).toBe('spam');

  const message = await encryptArmored('Reopened: not spam after all.', [
    fixtureKey('alice').publicKey,
    fixtureKey('bob').publicKey,
  ]);
  await reopenCase(t.db, alice(), sec.reference, { message }, events);
  expect((await statusOf(sec.id)).status).toBe('assessing');
  const noteId = (await listCaseAudit(t.db, sec.id)).at(-1)!.details.noteId as string;
  expect(await noteText(sec.id, noteId, 'bob')).toBe('Reopened: not spam after all.');
});

test('no reason, a NUL byte or an overlong reason is refused beside the reason field, and nothing is written', async () => {
  await setStatus(sec.id, 'closed');
  const before = await auditRowCount(t.db, sec.id);
  for (const text of ['', '   \n ', 'bad\u0000byte', 'x'.repeat(5001)]) {
    const error = await domainErrorOf(reopenCase(t.db, alice(), sec.reference, { text }, events));
    expect(error).toBeInstanceOf(FieldError);
    expect((error as FieldError).field).toBe('reason');
  }
  expect((await statusOf(sec.id)).status).toBe('closed');
  expect(await auditRowCount(t.db, sec.id)).toBe(before);
});

test('an open case cannot be reopened; a member who may not read the case finds nothing', async () => {
  await setStatus(sec.id, 'assessing');
  const before = await auditRowCount(t.db, sec.id);
  expect((await domainErrorOf(reopenCase(t.db, alice(), sec.reference, { text: 'why not' }, events))).kind).toBe(
    'bad-input',
  );
  await setStatus(sec.id, 'closed');
  // carol (an approver) does not read security cases while the SRT has two members.
  expect((await domainErrorOf(reopenCase(t.db, carol(), sec.reference, { text: 'let me in' }, events))).kind).toBe(
    'not-found',
  );
  expect(await auditRowCount(t.db, sec.id)).toBe(before);
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
});

describe('over HTTP, as the case page posts its forms', () => {
  let server: AuthTestServer;
  let dave: EnrolledMember;
  let c: { reference: string; id: string };

  beforeAll(async () => {
    server = await startAuthServer(t.db);
    dave = await enrolMember(t.db, server, 'dave', 'srt');
    c = await submitReport(t.db, 'security', 'Open redirect on the login page.');
  });
  afterAll(async () => {
    await server.close();
  });

  test('a closing move asks for confirmation first, and only the confirmed post closes the case', async () => {
    const page = await dave.client.get(`/dashboard/cases/${c.reference}`);
    const action = `/dashboard/cases/${c.reference}/status`;
    const asked = await dave.client.submit(page, action, { to: 'spam' });
    expect(asked.status).toBe(200);
    expect(asked.html).toContain('Close ' + c.reference + ' as “Closed: spam”?');
    expect(asked.html).toContain('name="confirm" value="yes"');
    expect((await statusOf(c.id)).status).toBe('new');

    const done = await dave.client.submit(asked, action, { to: 'spam', confirm: 'yes' });
    expect(done.status).toBe(303);
    expect((await statusOf(c.id)).status).toBe('spam');
  });

  test('a move that does not close the case needs no confirmation', async () => {
    await setStatus(c.id, 'new');
    const page = await dave.client.get(`/dashboard/cases/${c.reference}`);
    expect(
      (await dave.client.submit(page, `/dashboard/cases/${c.reference}/status`, { to: 'acknowledged' })).status,
    ).toBe(303);
    expect((await statusOf(c.id)).status).toBe('acknowledged');
  });

  test('a field sent twice is refused on the case page (400), not with a server error', async () => {
    const page = await dave.client.get(`/dashboard/cases/${c.reference}`);
    const token = /action="\/dashboard\/cases\/[^"]+\/severity"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(
      page.html,
    )![1]!;
    const response = await fetch(`${server.url}/dashboard/cases/${c.reference}/severity`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: dave.client.jar.header() },
      body: `_csrf=${encodeURIComponent(token)}&vector=a&vector=b`,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Each field of the form is sent once');
  });

  test('without JavaScript the reopen form posts the reason, the server encrypts it and discards it', async () => {
    await setStatus(c.id, 'not-a-vulnerability');
    const page = await dave.client.get(`/dashboard/cases/${c.reference}`);
    const empty = await dave.client.submit(page, `/dashboard/cases/${c.reference}/reopen`, { reason: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('id="reason-problem"');
    const reason = `It is exploitable after all. ${canary('reopen-http')}`;
    const done = await dave.client.submit(page, `/dashboard/cases/${c.reference}/reopen`, { reason });
    expect(done.status).toBe(303);
    expect((await statusOf(c.id)).status).toBe('assessing');
    expect(server.logLines.join('\n')).not.toContain(canary('reopen-http'));
  });
});
