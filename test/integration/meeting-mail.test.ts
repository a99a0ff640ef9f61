// Closed-meeting invitations through pg-boss to a real SMTP peer, each .ics read with a real
// iCalendar parser (ical.js): one mail per invitee, METHOD:REQUEST in a text/calendar part (and an
// .ics attachment), a stable UID, a SEQUENCE that rises with a move; a hard conflict recorded later
// sends that person a METHOD:CANCEL (through the sweep); a cancellation sends METHOD:CANCEL to the
// rest; nobody hard-conflicted from the start gets anything; no mail carries the report's text.
import { recordConflict } from '../../server/governance/conflicts';
import { enqueueUnmailedMeetingMail } from '../../server/meetings/meeting-invitees';
import { parseMeetingInput } from '../../server/meetings/meeting-input';
import { callMeeting, cancelMeeting, moveMeeting } from '../../server/meetings/meetings';
import { signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { canary } from '../helpers/report-scenario';
import { meetingInvitations, waitForInvitations as waitFor } from '../helpers/meeting-invitations';

const SECRET = canary('meeting-mail');
let s: MailScenario;
beforeAll(async () => {
  s = await startMailScenario({
    members: [
      ['carol', 'approver'],
      ['dave', 'approver'],
      ['erin', 'approver'],
      ['gina', 'approver'],
    ],
  });
});
afterAll(() => s?.close());

const email = (name: 'carol' | 'dave' | 'erin' | 'gina') => fixtureKey(name).email;
const as = (name: 'carol' | 'dave' | 'erin' | 'gina') => signedIn(s.members[name]!);

test('invitations, a move, a later hard conflict and a cancellation, as calendars read them', async () => {
  const report = await submitReport(s.database.db, 'coc', `The report ${SECRET}`, [s.members.gina!.id]);
  const now = new Date();
  const start = new Date(now.getTime() + 2 * 24 * 3600_000);
  start.setUTCSeconds(0, 0);
  const typed = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  const { meetingId } = await callMeeting(
    s.database.db,
    as('carol'),
    report.reference,
    parseMeetingInput({ startsAt: typed(start), durationMinutes: '45', link: 'https://meet.example.org/r1' }, now),
    s.mail.events,
  );

  const first = await waitFor(s.sink!, 3);
  expect(first.map((i) => i.to).sort()).toEqual([email('carol'), email('dave'), email('erin')].sort());
  const uid = first[0]!.uid;
  for (const i of first) {
    expect(i).toMatchObject({
      method: 'REQUEST',
      uid,
      sequence: 0,
      start: start.toISOString(),
      summary: `Closed meeting — ${report.reference}`,
      location: 'https://meet.example.org/r1',
      organizer: `mailto:${s.config.mail.from.replace(/^.*<|>$/g, '')}`,
    });
    expect(i.attendee.toLowerCase()).toBe(`mailto:${i.to}`.toLowerCase());
    // What calendars read: a text/calendar alternative with the method, and the .ics attached.
    expect(i.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    expect(i.raw).toMatch(/Content-Type: application\/ics; name=meeting\.ics/i);
    expect(i.raw).not.toContain(SECRET);
  }

  const later = new Date(start.getTime() + 3600_000);
  await moveMeeting(
    s.database.db,
    as('erin'),
    report.reference,
    meetingId,
    parseMeetingInput(
      { startsAt: `${typed(later)}+00:00`, durationMinutes: '60', link: 'https://meet.example.org/r2' },
      now,
    ),
    now,
    s.mail.events,
  );
  const moved = (await waitFor(s.sink!, 6)).slice(3);
  expect(moved.map((i) => i.to).sort()).toEqual([email('carol'), email('dave'), email('erin')].sort());
  for (const i of moved) {
    expect(i).toMatchObject({ method: 'REQUEST', uid, sequence: 1, start: later.toISOString() });
    expect(i.subject).toContain('Moved:');
  }

  // dave is found to have a close relationship: his calendar gets a cancellation, nobody else a mail.
  await recordConflict(s.database.db, as('carol'), report.reference, {
    memberId: s.members.dave!.id,
    ground: 'close-relationship',
  });
  await enqueueUnmailedMeetingMail(s.database.db, s.mail.events);
  const removed = (await waitFor(s.sink!, 7)).slice(6);
  expect(removed).toEqual([expect.objectContaining({ to: email('dave'), method: 'CANCEL', uid, sequence: 2 })]);
  expect(removed[0]!.raw).toMatch(/method=CANCEL/);

  await cancelMeeting(s.database.db, as('carol'), report.reference, meetingId, now, s.mail.events);
  const cancelled = (await waitFor(s.sink!, 9)).slice(7);
  expect(cancelled.map((i) => i.to).sort()).toEqual([email('carol'), email('erin')].sort());
  for (const i of cancelled) expect(i).toMatchObject({ method: 'CANCEL', uid, sequence: 3 });

  // The sweep finds nothing left to mail; gina (named by the reporter) never got a thing.
  await enqueueUnmailedMeetingMail(s.database.db, s.mail.events);
  await new Promise((r) => setTimeout(r, 1500));
  const all = await meetingInvitations(s.sink!);
  expect(all).toHaveLength(9);
  expect(s.sink!.messages.some((m) => m.to.includes(email('gina')))).toBe(false);
  expect(s.sink!.messages.some((m) => m.raw.toString().includes(SECRET))).toBe(false);
});

test('on a security case with a delegated SRT, an approver who does not read it is invited, without a link to the case', async () => {
  await s.database.db
    .updateTable('members')
    .set({ role: 'srt' })
    .where('id', 'in', [s.members.erin!.id, s.members.gina!.id])
    .execute();
  await s.database.db
    .insertInto('srt_members')
    .values(
      [s.members.erin!.id, s.members.gina!.id].map((id) => ({ member_id: id, appointed_by: 'operator' as const })),
    )
    .execute();
  const before = (await meetingInvitations(s.sink!)).length;
  const report = await submitReport(s.database.db, 'security', `The vulnerability ${SECRET}`);
  const readers = await s.database.db
    .selectFrom('case_readers')
    .select('member_id')
    .where('case_id', '=', report.id)
    .execute();
  expect(readers.map((r) => r.member_id).sort()).toEqual([s.members.erin!.id, s.members.gina!.id].sort());
  const now = new Date();
  const srtMember = { ...as('erin'), role: 'srt' as const };
  const { invited } = await callMeeting(
    s.database.db,
    srtMember,
    report.reference,
    parseMeetingInput(
      {
        startsAt: new Date(now.getTime() + 86_400_000).toISOString().slice(0, 16),
        durationMinutes: '30',
        link: 'https://meet.example.org/sec',
      },
      now,
    ),
    s.mail.events,
  );
  expect(invited.sort()).toEqual(['carol', 'dave', 'erin', 'gina'].map((n) => s.members[n as 'carol']!.id).sort());
  const mails = (await waitFor(s.sink!, before + 4)).slice(before);
  const toCarol = mails.find((m) => m.to === email('carol'))!;
  const toErin = mails.find((m) => m.to === email('erin'))!;
  expect(toCarol.method).toBe('REQUEST');
  expect(toCarol.raw).not.toContain('/dashboard/cases/');
  expect(toErin.raw).toContain(`/dashboard/cases/${report.reference}`);
  for (const m of mails) expect(m.raw).not.toContain(SECRET);
});
