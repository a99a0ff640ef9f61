// Conflicts of interest on a real PostgreSQL (issue 10 §2): the reporter's involved approvers are
// hard conflicts from the start; recording and declaring; two soft conflicts count as hard; a hard
// one removes the reader row and every packet at once (no notification can go out after it), a soft
// one keeps access; lifting and downgrading (the decisions' effects) give access back; the majority
// condition; each change audited.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import { notificationTarget } from '../../db/mail-settings.queries';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import { CASE_NOT_FOUND, assignCase, openCase } from '../../server/cases/case-work';
import {
  checkConflictChange,
  downgradeConflict,
  liftConflict,
  majorityHardConflicted,
  recordConflict,
} from '../../server/governance/conflicts';
import { FieldError } from '../../server/field-errors';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
const events = recordingEvents();
const as = (name: 'alice' | 'carol' | 'dave' | 'erin' | 'frank' | 'gina') => signedIn(cast[name] as MemberWithKey);
const id = (name: 'alice' | 'carol' | 'dave' | 'erin' | 'frank' | 'gina') => cast[name]!.id;

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, {
    alice: 'srt',
    carol: 'approver',
    dave: 'approver',
    erin: 'approver',
    gina: 'approver',
    frank: 'liaison',
  });
});
afterAll(async () => {
  await t.destroy();
});

const readers = async (caseId: string) =>
  (await t.db.selectFrom('case_readers').select(['member_id', 'via']).where('case_id', '=', caseId).execute())
    .map((r) => `${r.member_id}:${r.via}`)
    .sort();
const packetsOf = async (caseId: string, memberId: string) =>
  Number(
    (
      await t.db
        .selectFrom('session_keys as k')
        .innerJoin('messages as m', 'm.id', 'k.message_id')
        .innerJoin('member_keys as mk', 'mk.id', 'k.member_key_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('m.case_id', '=', caseId)
        .where('mk.member_id', '=', memberId)
        .executeTakeFirstOrThrow()
    ).n,
  );
const conflictRows = (caseId: string) =>
  t.db
    .selectFrom('case_conflicts')
    .select(['id', 'member_id', 'level', 'ground', 'recorded_by_member_id', 'lifted_at'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();
const actions = async (caseId: string) => (await listCaseAudit(t.db, caseId)).map((a) => a.action);

test("the reporter's involved approvers are hard conflicts from the start, recorded by nobody, in the case's own statement", async () => {
  const c = await submitReport(t.db, 'coc', 'Dave and Erin mocked a newcomer.', [id('dave'), id('erin')]);
  const rows = await conflictRows(c.id);
  expect(rows.map((r) => [r.member_id, r.level, r.ground, r.recorded_by_member_id, r.lifted_at])).toEqual(
    expect.arrayContaining([
      [id('dave'), 'hard', 'involved', null, null],
      [id('erin'), 'hard', 'involved', null, null],
    ]),
  );
  expect(rows).toHaveLength(2);
  const audit = await listCaseAudit(t.db, c.id);
  const recorded = audit.filter((a) => a.action === 'conflict.recorded');
  expect(recorded.map((a) => [a.actorLabel, a.details.memberId, a.details.ground]).sort()).toEqual(
    [
      ['reporter', id('dave'), 'involved'],
      ['reporter', id('erin'), 'involved'],
    ].sort(),
  );
  // Two of four approvers: not more than half.
  expect(await majorityHardConflicted(t.db, c.id)).toBe(false);
  // A security report names nobody: no conflict rows.
  const sec = await submitReport(t.db, 'security', 'A heap overflow.');
  expect(await conflictRows(sec.id)).toEqual([]);
});

test('a soft conflict keeps access; a second soft one counts as hard and takes the case away at once', async () => {
  const c = await submitReport(t.db, 'coc', 'A heated thread.');
  await assignCase(t.db, as('carol'), c.reference, id('dave'), events);
  expect(await packetsOf(c.id, id('dave'))).toBe(1);
  const first = await recordConflict(t.db, as('carol'), c.reference, { memberId: id('dave'), ground: 'same-employer' });
  expect(first).toMatchObject({ effective: 'soft', selfExcluded: false });
  expect(await readers(c.id)).toContain(`${id('dave')}:routed`);
  expect((await openCase(t.db, as('dave'), c.reference)).detail.id).toBe(c.id);
  // The same ground twice is refused beside its field, and writes nothing.
  const again = await domainErrorOf(
    recordConflict(t.db, as('erin'), c.reference, { memberId: id('dave'), ground: 'same-employer' }),
  );
  expect(again).toBeInstanceOf(FieldError);
  expect((await conflictRows(c.id)).length).toBe(1);

  const second = await recordConflict(t.db, as('erin'), c.reference, { memberId: id('dave'), ground: 'appearance' });
  expect(second).toMatchObject({ effective: 'hard', selfExcluded: false });
  expect(await readers(c.id)).not.toContain(`${id('dave')}:routed`);
  expect(await packetsOf(c.id, id('dave'))).toBe(0);
  expect((await domainErrorOf(openCase(t.db, as('dave'), c.reference))).message).toBe(CASE_NOT_FOUND);
  // The sender checks the readers before it sends: nothing queued for dave about this case goes out.
  expect(await notificationTarget(t.db, c.id, id('dave'))).toBeUndefined();
  expect(await notificationTarget(t.db, c.id, id('carol'))).toBeDefined();
  // He was its assignee: nobody is, now.
  const row = await t.db.selectFrom('cases').select('assignee_id').where('id', '=', c.id).executeTakeFirstOrThrow();
  expect(row.assignee_id).toBeNull();
  const trail = await listCaseAudit(t.db, c.id);
  expect(trail.filter((a) => a.action === 'access.revoked').map((a) => a.details)).toEqual([
    { memberId: id('dave'), reason: 'hard-conflict', packets: 1 },
  ]);
  expect(trail.filter((a) => a.action === 'conflict.recorded').map((a) => a.details)).toEqual([
    { conflictId: expect.any(String), memberId: id('dave'), level: 'soft', ground: 'same-employer' },
    { conflictId: expect.any(String), memberId: id('dave'), level: 'soft', ground: 'appearance' },
  ]);
  // The hard-conflicted member can no longer record anything on it: not found, like any unknown case.
  expect(
    (
      await domainErrorOf(
        recordConflict(t.db, as('dave'), c.reference, { memberId: id('carol'), ground: 'appearance' }),
      )
    ).kind,
  ).toBe('not-found');
});

test('declaring a hard conflict of one’s own: out of the case at once; a liaison declares, never records on others', async () => {
  const c = await submitReport(t.db, 'coc', 'An argument at a meetup.');
  const declared = await recordConflict(t.db, as('gina'), c.reference, {
    memberId: id('gina'),
    ground: 'close-relationship',
  });
  expect(declared).toMatchObject({ effective: 'hard', selfExcluded: true });
  expect(await readers(c.id)).not.toContain(`${id('gina')}:routed`);
  expect(await actions(c.id)).toEqual(expect.arrayContaining(['conflict.declared', 'access.revoked']));

  // frank (liaison) does not read this case: for him it does not exist.
  expect(
    (
      await domainErrorOf(
        recordConflict(t.db, as('frank'), c.reference, { memberId: id('frank'), ground: 'appearance' }),
      )
    ).kind,
  ).toBe('not-found');
  await t.db
    .insertInto('case_readers')
    .values({ case_id: c.id, member_id: id('frank'), via: 'liaison' })
    .execute();
  const onOther = await domainErrorOf(
    recordConflict(t.db, as('frank'), c.reference, { memberId: id('carol'), ground: 'appearance' }),
  );
  expect(onOther).toBeInstanceOf(FieldError);
  expect(onOther.message).toMatch(/liaison/);
  expect(
    await recordConflict(t.db, as('frank'), c.reference, { memberId: id('frank'), ground: 'appearance' }),
  ).toMatchObject({ effective: 'soft', selfExcluded: false });
});

test('bad input is refused beside its field; security cases have no conflicts', async () => {
  const c = await submitReport(t.db, 'coc', 'Trolling.');
  for (const [input, field] of [
    [{ memberId: 'not-a-uuid', ground: 'appearance' }, 'memberId'],
    [{ memberId: '00000000-0000-4000-8000-000000000000', ground: 'appearance' }, 'memberId'],
    [{ memberId: id('dave'), ground: 'involved' }, 'ground'],
    [{ memberId: id('dave'), ground: '__proto__' }, 'ground'],
  ] as const) {
    const error = await domainErrorOf(recordConflict(t.db, as('carol'), c.reference, input));
    expect(error).toBeInstanceOf(FieldError);
    expect((error as FieldError).field).toBe(field);
  }
  const sec = await submitReport(t.db, 'security', 'An XSS.');
  expect(
    (
      await domainErrorOf(
        recordConflict(t.db, as('alice'), sec.reference, { memberId: id('dave'), ground: 'appearance' }),
      )
    ).kind,
  ).toBe('bad-input');
  expect(await conflictRows(c.id)).toEqual([]);
});

test('a majority of the approvers hard-conflicted is detected as soon as it holds', async () => {
  // Four approvers: carol, dave, erin, gina. The reporter names dave; carol records erin: 2 of 4, no majority.
  const c = await submitReport(t.db, 'coc', 'Several maintainers involved.', [id('dave')]);
  await recordConflict(t.db, as('carol'), c.reference, { memberId: id('erin'), ground: 'accused-or-target' });
  expect(await majorityHardConflicted(t.db, c.id)).toBe(false);
  // A soft conflict does not count…
  await recordConflict(t.db, as('carol'), c.reference, { memberId: id('gina'), ground: 'appearance' });
  expect(await majorityHardConflicted(t.db, c.id)).toBe(false);
  // …until a second one makes it hard: 3 of 4.
  await recordConflict(t.db, as('carol'), c.reference, { memberId: id('gina'), ground: 'same-employer' });
  expect(await majorityHardConflicted(t.db, c.id)).toBe(true);
});

test('lifting and downgrading (passed decisions): the approver reads again; the hook runs; each is audited', async () => {
  const c = await submitReport(t.db, 'coc', 'A code review dispute.', [id('dave')]);
  {
    const [involved] = await conflictRows(c.id);
    await expect(checkConflictChange(t.db, involved!.id, 'none')).resolves.toBeUndefined();
    await expect(checkConflictChange(t.db, 'nope', 'none')).rejects.toThrow(/no such conflict/);
    await t.db
      .transaction()
      .execute((trx) =>
        liftConflict(trx, involved!.id, { actorMemberId: null, actorLabel: 'system', proposalId: null }),
      );
    expect(await readers(c.id)).toContain(`${id('dave')}:conflict-lifted`);
    expect((await conflictRows(c.id))[0]!.lifted_at).not.toBeNull();
    await expect(checkConflictChange(t.db, involved!.id, 'none')).rejects.toThrow(/lifted already/);

    const hard = await recordConflict(t.db, as('carol'), c.reference, {
      memberId: id('erin'),
      ground: 'accused-or-target',
    });
    expect(await readers(c.id)).not.toContain(`${id('erin')}:routed`);
    await t.db
      .transaction()
      .execute((trx) => downgradeConflict(trx, hard.conflictId, { actorMemberId: null, actorLabel: 'system' }));
    expect(await readers(c.id)).toContain(`${id('erin')}:conflict-lifted`);
    await expect(checkConflictChange(t.db, hard.conflictId, 'soft')).rejects.toThrow(/soft already/);
    // Still a soft conflict: she reads it, and (the decisions helper's rule) does not vote.
    expect((await conflictRows(c.id)).find((r) => r.id === hard.conflictId)!.level).toBe('soft');
    expect(await actions(c.id)).toEqual(
      expect.arrayContaining(['conflict.lifted', 'conflict.downgraded', 'access.reader-added']),
    );
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  }
});
