// What a reader does to a case, on a real PostgreSQL: every move of each kind accepted or refused
// as issue 3 lists them (table written here, not read back from server/cases/workflow.ts), the clocks the
// moves stop, assignment, severity, embargo, the expedited flag — each with its audit row.
import path from 'node:path';
import { sql } from 'kysely';
import type { CaseKind } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import { assignCase, moveCase, openCase, setEmbargo, setExpedited, setSeverity } from '../../server/cases/case-work';
import { STATES } from '../../server/cases/workflow';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { auditRowCount, domainErrorOf, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { runProcess } from '../helpers/run-process';
import { addCast } from '../helpers/stored-case';
import { EXPECTED_MOVES as EXPECTED } from '../helpers/expected-workflow';

const ROOT = path.join(__dirname, '..', '..');

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
let sec: { reference: string; id: string };
let coc: { reference: string; id: string };
const events = recordingEvents();

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver', dave: 'approver' });
  sec = await submitReport(t.db, 'security', 'Heap overflow in the parser.');
  coc = await submitReport(t.db, 'coc', 'Harassment in a review thread.');
});
afterAll(async () => {
  await t.destroy();
});

const alice = () => signedIn(cast.alice as MemberWithKey);
const carol = () => signedIn(cast.carol as MemberWithKey);
const caseRow = (id: string) =>
  t.db
    .selectFrom('cases')
    .select([
      'status',
      'acknowledged_at',
      'triaged_at',
      'duplicate_of',
      'resolution',
      'assignee_id',
      'expedited',
      'embargo_until',
    ])
    .select(['severity_vector', 'severity_score', 'severity_rating', 'cwe', 'affected_versions'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const reset = (id: string, status: string) =>
  t.db
    .updateTable('cases')
    .set({ status, acknowledged_at: null, triaged_at: null, resolution: null, duplicate_of: null })
    .where('id', '=', id)
    .execute();

describe.each<[CaseKind, () => { reference: string; id: string }, () => ReturnType<typeof alice>]>([
  ['security', () => sec, alice],
  ['coc', () => coc, carol],
])('every %s move', (kind, target, member) => {
  const pairs = Object.keys(STATES[kind]).flatMap((from) => Object.keys(STATES[kind]).map((to) => [from, to] as const));
  test(`is accepted or refused as the issue lists it (${pairs.length} pairs)`, async () => {
    const { reference, id } = target();
    for (const [from, to] of pairs) {
      await reset(id, from);
      const details =
        to === 'duplicate' ? { duplicateOf: 'sec-2026-0042 ' } : to === 'resolved' ? { resolution: 'warning' } : {};
      const audit = await auditRowCount(t.db, id);
      const allowed = EXPECTED[kind][from]?.includes(to) ?? false;
      if (allowed) {
        await moveCase(t.db, member(), reference, to, details);
        expect([from, to, (await caseRow(id)).status]).toEqual([from, to, to]);
        const last = (await listCaseAudit(t.db, id)).at(-1)!;
        expect([last.action, last.details.from, last.details.to]).toEqual(['case.status-changed', from, to]);
      } else {
        const error = await domainErrorOf(moveCase(t.db, member(), reference, to, details));
        expect([from, to, error.kind, (await caseRow(id)).status]).toEqual([from, to, 'bad-input', from]);
        expect(await auditRowCount(t.db, id)).toBe(audit);
      }
    }
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });
});

test('the first move stops the acknowledge clock; reaching a triaged state stops the triage clock', async () => {
  await reset(sec.id, 'new');
  await moveCase(t.db, alice(), sec.reference, 'acknowledged');
  const acknowledged = await caseRow(sec.id);
  expect(acknowledged.acknowledged_at).toBeInstanceOf(Date);
  expect(acknowledged.triaged_at).toBeNull();
  await moveCase(t.db, alice(), sec.reference, 'assessing');
  expect((await caseRow(sec.id)).triaged_at).toBeNull();
  await moveCase(t.db, alice(), sec.reference, 'confirmed');
  const confirmed = await caseRow(sec.id);
  expect(confirmed.acknowledged_at).toEqual(acknowledged.acknowledged_at);
  expect(confirmed.triaged_at!.getTime()).toBeGreaterThanOrEqual(acknowledged.acknowledged_at!.getTime());
  await moveCase(t.db, alice(), sec.reference, 'fixing');
  expect((await caseRow(sec.id)).triaged_at).toEqual(confirmed.triaged_at);

  await reset(coc.id, 'acknowledged');
  await moveCase(t.db, carol(), coc.reference, 'investigating');
  expect((await caseRow(coc.id)).triaged_at).toBeInstanceOf(Date);
});

test('a duplicate must name the other case by reference; a CoC resolution records its outcome; other moves record neither', async () => {
  await reset(sec.id, 'assessing');
  const audit = await auditRowCount(t.db, sec.id);
  // Kept in the clear and in the append-only audit log: a reference, never prose (nor a 500 for a long one).
  for (const duplicateOf of [undefined, '', '   ', 'the parser report Alice sent last week', 'X'.repeat(600)]) {
    expect((await domainErrorOf(moveCase(t.db, alice(), sec.reference, 'duplicate', { duplicateOf }))).kind).toBe(
      'bad-input',
    );
  }
  expect(await auditRowCount(t.db, sec.id)).toBe(audit);
  await moveCase(t.db, alice(), sec.reference, 'duplicate', { duplicateOf: ' sec-2026-0007', resolution: 'warning' });
  expect(await caseRow(sec.id)).toMatchObject({ status: 'duplicate', duplicate_of: 'SEC-2026-0007', resolution: null });
  expect((await listCaseAudit(t.db, sec.id)).at(-1)!.details).toEqual({
    from: 'assessing',
    to: 'duplicate',
    duplicateOf: 'SEC-2026-0007',
  });

  await reset(coc.id, 'acknowledged');
  await moveCase(t.db, carol(), coc.reference, 'investigating', {
    resolution: 'permanent-ban',
    duplicateOf: 'free text',
  });
  expect(await caseRow(coc.id)).toMatchObject({ status: 'investigating', resolution: null, duplicate_of: null });
  expect((await listCaseAudit(t.db, coc.id)).at(-1)!.details).toEqual({ from: 'acknowledged', to: 'investigating' });

  for (const resolution of [undefined, '', 'banished']) {
    expect((await domainErrorOf(moveCase(t.db, carol(), coc.reference, 'resolved', { resolution }))).kind).toBe(
      'bad-input',
    );
  }
  // A temporary ban records its length (issue 11 §4).
  expect(
    (await domainErrorOf(moveCase(t.db, carol(), coc.reference, 'resolved', { resolution: 'temporary-ban' }))).kind,
  ).toBe('bad-input');
  await moveCase(t.db, carol(), coc.reference, 'resolved', { resolution: 'temporary-ban', months: '2' });
  expect(await caseRow(coc.id)).toMatchObject({ status: 'resolved', resolution: 'temporary-ban' });
  expect((await listCaseAudit(t.db, coc.id)).at(-1)!.details).toEqual({
    from: 'investigating',
    to: 'resolved',
    resolution: 'temporary-ban',
    months: 2,
  });
});

test('a case is assigned only to one of its readers, or to nobody', async () => {
  await assignCase(t.db, alice(), sec.reference, cast.bob!.id, events);
  expect((await openCase(t.db, alice(), sec.reference)).detail.assigneeName).toBe(cast.bob!.name);
  expect(events.calls).toEqual([`assigned:${sec.id}:${cast.bob!.id}`]);
  for (const outsider of [cast.carol!.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    const error = await domainErrorOf(assignCase(t.db, alice(), sec.reference, outsider, events));
    expect([error.kind, error.message]).toEqual([
      'bad-input',
      'A case can only be assigned to someone who may read it.',
    ]);
  }
  expect((await caseRow(sec.id)).assignee_id).toBe(cast.bob!.id);
  await assignCase(t.db, alice(), sec.reference, alice().id, events);
  await assignCase(t.db, alice(), sec.reference, null, events);
  expect((await caseRow(sec.id)).assignee_id).toBeNull();
  expect(events.calls).toHaveLength(1); // assigning oneself or nobody tells no one
});

describe('severity', () => {
  const set = (vector: string, cwe = '', affectedVersions = '') =>
    setSeverity(t.db, alice(), sec.reference, { vector, cwe, affectedVersions });

  test('a CVSS 3.1 vector scores 9.8, critical; a 4.0 vector scores too; CWE and versions are kept', async () => {
    await set('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', ' cwe-787 ', '< 1.4.2');
    expect(await caseRow(sec.id)).toMatchObject({
      severity_score: '9.8',
      severity_rating: 'critical',
      cwe: 'CWE-787',
      affected_versions: '< 1.4.2',
    });
    await set('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:N/SC:N/SI:N/SA:N');
    const row = await caseRow(sec.id);
    expect(row).toMatchObject({
      severity_vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:N/SC:N/SI:N/SA:N',
      cwe: null,
    });
    expect(Number(row.severity_score)).toBeGreaterThan(7);
    expect(['high', 'critical']).toContain(row.severity_rating);
    expect((await listCaseAudit(t.db, sec.id)).at(-1)).toMatchObject({
      action: 'case.severity-set',
      details: { score: Number(row.severity_score) },
    });
  });

  test.each([
    ['an incomplete vector', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', ''],
    ['an unknown metric value', 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', ''],
    ['a metric given twice', 'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', ''],
    ['garbage', 'high, probably', ''],
    ['a CVSS 2 vector', 'AV:N/AC:L/Au:N/C:C/I:C/A:C', ''],
    ['a bad CWE', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', 'XSS'],
  ])('%s is refused and changes nothing', async (_what, vector, cwe) => {
    await set('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CWE-787');
    const before = await caseRow(sec.id);
    expect((await domainErrorOf(set(vector, cwe))).kind).toBe('bad-input');
    expect(await caseRow(sec.id)).toEqual(before);
  });

  test('a CoC case has no severity and is never expedited', async () => {
    expect(
      (
        await domainErrorOf(
          setSeverity(t.db, carol(), coc.reference, {
            vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            cwe: '',
            affectedVersions: '',
          }),
        )
      ).kind,
    ).toBe('bad-input');
    expect((await domainErrorOf(setExpedited(t.db, carol(), coc.reference, true))).kind).toBe('bad-input');
    expect(await caseRow(coc.id)).toMatchObject({ severity_score: null, expedited: false });
  });
});

describe('embargo date', () => {
  // A Date sent to or read from a `date` column goes through node-pg's local time zone; jest pins the
  // zone of its workers, so the app runs in a process of its own in each zone.
  const IN_ZONE = `
    const { createKysely } = require('./db/connect');
    const { setEmbargo, openCase } = require('./server/cases/case-work');
    const db = createKysely(process.env.DATABASE_URL, 1);
    const member = JSON.parse(process.env.MEMBER);
    setEmbargo(db, member, process.env.REFERENCE, process.env.DAY)
      .then(() => openCase(db, member, process.env.REFERENCE))
      .then(({ detail }) => process.stdout.write(detail.embargoUntil.toISOString().slice(0, 10)))
      .finally(() => db.destroy());`;

  test.each(['UTC', 'America/Los_Angeles', 'Asia/Tokyo'])(
    'YYYY-MM-DD is stored and shown as that day (server time zone %s)',
    async (zone) => {
      const env = {
        ...process.env,
        TZ: zone,
        DATABASE_URL: t.url,
        MEMBER: JSON.stringify(alice()),
        REFERENCE: sec.reference,
        DAY: ' 2027-03-01 ',
      };
      const result = await runProcess(process.execPath, ['--import', 'tsx', '-e', IN_ZONE], { cwd: ROOT, env });
      expect(result.stderr).toBe('');
      expect(result.stdout.toString()).toBe('2027-03-01');
      const { rows } = await sql<{
        day: string;
      }>`SELECT to_char(embargo_until, 'YYYY-MM-DD') AS day FROM cases WHERE id = ${sec.id}`.execute(t.db);
      expect(rows[0]!.day).toBe('2027-03-01');
      await setEmbargo(t.db, alice(), sec.reference, '');
    },
  );

  test('an impossible or loosely written date is refused; an empty one clears it', async () => {
    for (const bad of ['2027-02-30', '2027-3-1', '01/03/2027', 'next week']) {
      expect((await domainErrorOf(setEmbargo(t.db, alice(), sec.reference, bad))).message).toBe(
        'Give the date as YYYY-MM-DD.',
      );
    }
    await setEmbargo(t.db, alice(), sec.reference, '');
    expect((await caseRow(sec.id)).embargo_until).toBeNull();
  });
});

test('expediting, and every action above, left an audit row in one intact chain', async () => {
  await setExpedited(t.db, alice(), sec.reference, true);
  expect((await caseRow(sec.id)).expedited).toBe(true);
  const actions = new Set((await listCaseAudit(t.db, sec.id)).map((a) => a.action));
  for (const action of [
    'case.created',
    'case.viewed',
    'case.status-changed',
    'case.assigned',
    'case.severity-set',
    'case.embargo-set',
    'case.expedited',
  ]) {
    expect(actions).toContain(action);
  }
  expect((await listCaseAudit(t.db, sec.id)).at(-1)).toMatchObject({
    action: 'case.expedited',
    actorMemberId: alice().id,
    details: { expedited: true },
  });
  // Every row the actions wrote is sealed into the chain and verifies.
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: await auditRowCount(t.db) });
});
