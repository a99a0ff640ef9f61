// Closed meetings on a real PostgreSQL (issue 11 §1): the invitation list is computed (all approvers
// but the hard-conflicted, plus the SRT on a security case); a soft conflict stays invited; a hard
// conflict recorded after the call removes that person (their copy gets the next SEQUENCE, for a
// METHOD:CANCEL); a liaison cannot call; a move recomputes the list (a new approver is added) and
// raises the SEQUENCE; a cancel too; attendance and minutes are recorded by invitees; each audited.
import type { MemberWithKey } from '../../db/members.queries';
import { meetingInvitees, caseMeetings, minutesByMeeting } from '../../db/meetings.queries';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import { auditSentences } from '../../server/audit/audit-sentences';
import { caseRecipients } from '../../server/cases/case-messages';
import { addCaseReader } from '../../server/governance/access';
import { recordConflict } from '../../server/governance/conflicts';
import { BY_SYSTEM } from '../../server/governance/governance-actor';
import { FieldError } from '../../server/field-errors';
import { parseMeetingInput, parseMeetingTime } from '../../server/meetings/meeting-input';
import { addMinutes, recordAttendance } from '../../server/meetings/meeting-record';
import { callMeeting, cancelMeeting, moveMeeting } from '../../server/meetings/meetings';
import { meetingsView } from '../../server/meetings/meetings-view';
import { findReadableCase } from '../../db/case-view.queries';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, encryptArmored, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { addCast } from '../helpers/stored-case';

type Name = 'alice' | 'bob' | 'carol' | 'dave' | 'erin' | 'frank' | 'gina';
let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
const as = (name: Name) => signedIn(cast[name] as MemberWithKey);
const id = (name: Name) => cast[name]!.id;
const NOW = new Date('2026-12-01T12:00:00Z');
const input = (startsAt: string, durationMinutes = '60', link = 'https://meet.example.org/closed-1') =>
  parseMeetingInput({ startsAt, durationMinutes, link }, NOW);

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, {
    alice: 'srt',
    bob: 'srt',
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

const activeInvitees = async (meetingId: string) =>
  (await meetingInvitees(t.db, [meetingId]))
    .filter((i) => i.removedAt === null)
    .map((i) => i.memberId)
    .sort();
const sorted = (...names: Name[]) => names.map(id).sort();
const actions = async (caseId: string) => (await listCaseAudit(t.db, caseId)).map((a) => a.action);

describe('the time, the duration and the link', () => {
  test('a time is UTC unless an offset is given', () => {
    expect(parseMeetingTime('2026-12-03 14:00').toISOString()).toBe('2026-12-03T14:00:00.000Z');
    expect(parseMeetingTime('2026-12-03T14:00Z').toISOString()).toBe('2026-12-03T14:00:00.000Z');
    expect(parseMeetingTime('2026-12-03 15:30+01:30').toISOString()).toBe('2026-12-03T14:00:00.000Z');
    expect(parseMeetingTime('2026-12-03 09:00-0500').toISOString()).toBe('2026-12-03T14:00:00.000Z');
    for (const bad of [
      'tomorrow',
      '2026-02-30 10:00',
      '2026-12-03 25:00',
      '2026-12-03 10:00+15:00',
      '2026-12-03\u0000',
    ])
      expect(() => parseMeetingTime(bad)).toThrow(FieldError);
  });

  test('refused beside its field: a past time, a duration out of range, a link that is not https', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as FieldError).field;
      }
      return null;
    };
    expect(field(() => input('2026-11-30 10:00'))).toBe('startsAt');
    expect(field(() => input('2026-12-03 10:00', '2'))).toBe('durationMinutes');
    expect(field(() => input('2026-12-03 10:00', '60', 'http://meet.example.org/x'))).toBe('link');
    expect(field(() => input('2026-12-03 10:00', '60', 'https://user:pw@meet.example.org/x'))).toBe('link');
    expect(field(() => input('2026-12-03 10:00', '60', 'javascript:alert(1)'))).toBe('link');
    expect(input('2026-12-03 10:00', '45').durationMinutes).toBe(45);
  });
});

describe('the invitation list on a Code of Conduct case', () => {
  let reference: string;
  let caseId: string;
  let meetingId: string;

  beforeAll(async () => {
    // The reporter names gina: a hard conflict from the start. erin has a soft one (same employer).
    const report = await submitReport(t.db, 'coc', 'Closed meeting case', [id('gina')]);
    reference = report.reference;
    caseId = report.id;
    await recordConflict(t.db, as('carol'), reference, { memberId: id('erin'), ground: 'same-employer' });
  });

  test('all approvers but the hard-conflicted one; the soft-conflicted one is invited; not the SRT, not the liaison', async () => {
    const events = recordingEvents();
    const called = await callMeeting(t.db, as('carol'), reference, input('2026-12-03 14:00'), events);
    meetingId = called.meetingId;
    expect(called.invited.sort()).toEqual(sorted('carol', 'dave', 'erin'));
    expect(await activeInvitees(meetingId)).toEqual(sorted('carol', 'dave', 'erin'));
    expect(events.calls).toEqual([`meetingChanged:${meetingId}`]);
    const [row] = await caseMeetings(t.db, caseId);
    expect(row).toMatchObject({ sequence: 0, durationMinutes: 60, link: 'https://meet.example.org/closed-1' });
    const audit = (await listCaseAudit(t.db, caseId)).find((a) => a.action === 'meeting.called')!;
    expect(audit.details).toMatchObject({ meetingId, invited: 3, durationMinutes: 60 });
    expect(audit.details.invitedMemberIds).not.toContain(id('gina'));
  });

  test('the same form sent twice calls one meeting', async () => {
    const again = await domainErrorOf(callMeeting(t.db, as('dave'), reference, input('2026-12-03 14:00')));
    expect(again).toBeInstanceOf(FieldError);
    expect((again as FieldError).field).toBe('startsAt');
    expect(await caseMeetings(t.db, caseId)).toHaveLength(1);
  });

  test('a liaison who reads the case cannot call one; the hard-conflicted approver cannot even find the case', async () => {
    await t.db.transaction().execute((trx) => addCaseReader(trx, caseId, id('frank'), 'liaison', BY_SYSTEM));
    const before = (await actions(caseId)).length;
    expect((await domainErrorOf(callMeeting(t.db, as('frank'), reference, input('2026-12-04 10:00')))).kind).toBe(
      'forbidden',
    );
    expect((await domainErrorOf(callMeeting(t.db, as('gina'), reference, input('2026-12-04 10:00')))).kind).toBe(
      'not-found',
    );
    expect(
      (await domainErrorOf(moveMeeting(t.db, as('frank'), reference, meetingId, input('2026-12-04 10:00'), NOW))).kind,
    ).toBe('forbidden');
    expect((await actions(caseId)).length).toBe(before);
    expect(await caseMeetings(t.db, caseId)).toHaveLength(1);
  });

  test('a hard conflict recorded after the call removes that person, with the next SEQUENCE for their copy', async () => {
    await recordConflict(t.db, as('carol'), reference, { memberId: id('dave'), ground: 'close-relationship' });
    expect(await activeInvitees(meetingId)).toEqual(sorted('carol', 'erin'));
    const dave = (await meetingInvitees(t.db, [meetingId])).find((i) => i.memberId === id('dave'))!;
    expect(dave).toMatchObject({ removedReason: 'hard-conflict', sequence: 1 });
    expect((await caseMeetings(t.db, caseId))[0]!.sequence).toBe(1);
    const removal = (await listCaseAudit(t.db, caseId)).find((a) => a.action === 'meeting.invitee-removed')!;
    expect(removal.details).toMatchObject({ meetingId, memberId: id('dave'), because: 'hard-conflict' });
  });

  test('moving recomputes the list: a new approver is added, the conflicted stay out, every copy at the next SEQUENCE', async () => {
    await t.db.updateTable('members').set({ role: 'approver' }).where('id', '=', id('bob')).execute();
    try {
      const moved = await moveMeeting(
        t.db,
        as('erin'),
        reference,
        meetingId,
        input('2026-12-03 15:00+00:00', '90', 'https://meet.example.org/closed-2'),
        NOW,
      );
      expect(moved).toEqual({ added: [id('bob')], removed: [] });
      expect(await activeInvitees(meetingId)).toEqual(sorted('bob', 'carol', 'erin'));
      const [row] = await caseMeetings(t.db, caseId);
      expect(row).toMatchObject({ sequence: 2, durationMinutes: 90, link: 'https://meet.example.org/closed-2' });
      expect(row!.startsAt.toISOString()).toBe('2026-12-03T15:00:00.000Z');
      const copies = await meetingInvitees(t.db, [meetingId]);
      for (const copy of copies.filter((c) => c.removedAt === null)) expect(copy.sequence).toBe(2);
      expect(copies.find((c) => c.memberId === id('dave'))).toMatchObject({
        sequence: 1,
        removedReason: 'hard-conflict',
      });
      expect(copies.some((c) => c.memberId === id('gina'))).toBe(false);
    } finally {
      await t.db.updateTable('members').set({ role: 'srt' }).where('id', '=', id('bob')).execute();
    }
  });

  test('attendance, once the meeting has started, by an invitee; only invitees can be named', async () => {
    const early = new Date('2026-12-03T14:59:00Z');
    const during = new Date('2026-12-03T15:30:00Z');
    expect((await domainErrorOf(recordAttendance(t.db, as('carol'), reference, meetingId, [], early))).kind).toBe(
      'bad-input',
    );
    const notInvited = await domainErrorOf(recordAttendance(t.db, as('frank'), reference, meetingId, [], during));
    expect(notInvited.kind).toBe('forbidden');
    await expect(
      domainErrorOf(recordAttendance(t.db, as('carol'), reference, meetingId, [id('dave')], during)),
    ).resolves.toBeInstanceOf(FieldError);
    await recordAttendance(t.db, as('carol'), reference, meetingId, [id('carol'), id('erin')], during);
    // Once started it can no longer be moved or cancelled.
    expect((await domainErrorOf(cancelMeeting(t.db, as('carol'), reference, meetingId, during))).kind).toBe(
      'bad-input',
    );
    const copies = await meetingInvitees(t.db, [meetingId]);
    expect(copies.find((c) => c.memberId === id('erin'))!.attended).toBe(true);
    expect(copies.find((c) => c.memberId === id('bob'))!.attended).toBe(false);
    expect(await actions(caseId)).toContain('meeting.attendance-recorded');
  });

  test('the minutes: encrypted to the readers, stored with role meeting-minutes and linked to the meeting', async () => {
    const readers = await caseRecipients(t.db, caseId);
    const message = await encryptArmored(
      'Minutes: we discussed it.',
      readers.map((r) => r.armoredKey),
    );
    const events = recordingEvents();
    const { id: messageId } = await addMinutes(t.db, as('erin'), reference, meetingId, message, events);
    expect((await minutesByMeeting(t.db, [meetingId])).get(meetingId)).toEqual([messageId]);
    const stored = await t.db
      .selectFrom('messages')
      .select(['role'])
      .where('id', '=', messageId)
      .executeTakeFirstOrThrow();
    expect(stored.role).toBe('meeting-minutes');
    expect(events.calls).toEqual([`messageAdded:${caseId}:${id('erin')}`]);
    const audit = (await listCaseAudit(t.db, caseId)).find((a) => a.action === 'meeting.minutes-added')!;
    expect(audit.details).toMatchObject({ messageId, meetingId });
    // Encrypted to someone who is not a reader (gina): refused.
    const wrong = await encryptArmored('x', [cast.gina!.armoredKey]);
    expect((await domainErrorOf(addMinutes(t.db, as('erin'), reference, meetingId, wrong))).kind).toBe('bad-input');
    // The liaison reads the case but was not invited: no minutes from it.
    expect((await domainErrorOf(addMinutes(t.db, as('frank'), reference, meetingId, message))).kind).toBe('forbidden');
  });

  test('cancelling: the next SEQUENCE for every current copy; a cancelled meeting cannot be moved', async () => {
    await cancelMeeting(t.db, as('carol'), reference, meetingId, NOW);
    const [row] = await caseMeetings(t.db, caseId);
    expect(row!.cancelledAt).not.toBeNull();
    expect(row!.sequence).toBe(3);
    for (const copy of (await meetingInvitees(t.db, [meetingId])).filter((c) => c.removedAt === null))
      expect(copy.sequence).toBe(3);
    expect(
      (await domainErrorOf(moveMeeting(t.db, as('carol'), reference, meetingId, input('2026-12-05 10:00'), NOW))).kind,
    ).toBe('bad-input');
    expect(await actions(caseId)).toEqual(expect.arrayContaining(['meeting.cancelled', 'meeting.moved']));
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  test('the case page and the trail in words say it, and the liaison sees no link', async () => {
    const detail = (await findReadableCase(t.db, id('carol'), reference))!;
    const view = await meetingsView(t.db, as('carol'), detail, NOW);
    expect(view.canCall).toBe(true);
    expect(view.meetings[0]).toMatchObject({ cancelled: true, link: 'https://meet.example.org/closed-2' });
    expect(view.meetings[0]!.removed.map((r) => r.id)).toEqual([id('dave')]);
    const liaisonView = await meetingsView(
      t.db,
      as('frank'),
      (await findReadableCase(t.db, id('frank'), reference))!,
      NOW,
    );
    expect(liaisonView.canCall).toBe(false);
    expect(liaisonView.meetings[0]!.link).toBeNull();
    const names = new Map([[id('carol'), 'Carol Approver']]);
    const words = auditSentences('coc', await listCaseAudit(t.db, caseId), names).map((s) => s.text);
    expect(words).toEqual(
      expect.arrayContaining([
        'Carol Approver called a closed meeting for 2026-12-03 14:00 UTC (60 minutes), inviting 3 members.',
        'Carol Approver cancelled a closed meeting.',
      ]),
    );
    expect(words).toContain(
      'Someone who no longer reads it was removed from a closed meeting (a hard conflict of interest); their invitation is cancelled.',
    );
  });
});

describe('on a security case', () => {
  test('an SRT member who reads it calls one: the approvers and the SRT are invited', async () => {
    const report = await submitReport(t.db, 'security', 'A vulnerability');
    const called = await callMeeting(t.db, as('alice'), report.reference, input('2026-12-03 09:00'));
    expect(called.invited.sort()).toEqual(sorted('alice', 'bob', 'carol', 'dave', 'erin', 'gina'));
  });
});
