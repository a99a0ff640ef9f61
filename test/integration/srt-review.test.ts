// The SRT's yearly review (issue 11 §2) with a moved decisions clock and a real SMTP peer: due a
// year after the first approver, then after the last review; a reminder a month before and one
// when overdue, each sent once (two upkeep runs at once too), to the approvers only; the overdue
// flag on the approvers' dashboards until the review is recorded by decision.
import { simpleParser } from 'mailparser';
import { settleProposals } from '../../server/governance/decision-settle';
import { propose } from '../../server/governance/decisions';
import { srtReviewDue } from '../../server/governance/srt-review';
import { srtUpkeep } from '../../server/governance/srt-upkeep';
import { srtNotices } from '../../server/governance/srt-view';
import { domainErrorOf, signedIn } from '../helpers/dashboard';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';

let s: MailScenario;
let firstApproverAt: Date;

beforeAll(async () => {
  // alice and bob: the delegated team (role srt, put on it by the operator); carol and dave: approvers.
  s = await startMailScenario();
  firstApproverAt = (
    await s.database.db
      .selectFrom('members')
      .select((eb) => eb.fn.min('created_at').as('first'))
      .where('role', '=', 'approver')
      .executeTakeFirstOrThrow()
  ).first as Date;
});
afterAll(() => s?.close());

const days = (at: Date, n: number) => new Date(at.getTime() + n * 86_400_000);
const yearAfter = (at: Date) => {
  const d = new Date(at.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d;
};
const upkeep = (at: Date) => srtUpkeep(s.database.db, s.mail.events, () => at);

async function mailsSoFar(): Promise<{ to: string[]; subject: string; text: string }[]> {
  return Promise.all(
    s.sink!.messages.map(async (message) => {
      const parsed = await simpleParser(message.raw);
      return { to: message.to, subject: parsed.subject ?? '', text: parsed.text ?? '' };
    }),
  );
}

async function settleAfterQuiet(count: number): Promise<void> {
  await s.sink!.waitFor(count);
  // Nothing more arrives: each reminder went out once.
  await new Promise((r) => setTimeout(r, 1500));
  expect(s.sink!.messages).toHaveLength(count);
}

const reminderAudit = () =>
  s.database.db
    .selectFrom('audit_log')
    .select(['actor_label', 'details'])
    .where('action', '=', 'srt.review-reminded')
    .orderBy('id')
    .execute();

test('the first review is due a year after the first approver; nothing is sent before the last month', async () => {
  const due = await srtReviewDue(s.database.db, days(firstApproverAt, 1));
  expect(due).toMatchObject({ state: 'not-due', since: { basis: 'first-approver' } });
  expect(due.dueAt).toEqual(yearAfter(firstApproverAt));
  await upkeep(days(yearAfter(firstApproverAt), -40));
  await new Promise((r) => setTimeout(r, 1000));
  expect(s.sink!.messages).toHaveLength(0);
});

test('a month before: one mail to each approver, never to the SRT members, once even with two instances', async () => {
  const at = days(yearAfter(firstApproverAt), -20);
  expect((await srtReviewDue(s.database.db, at)).state).toBe('due-soon');
  await Promise.all([upkeep(at), upkeep(at), upkeep(days(at, 1))]);
  await settleAfterQuiet(2);
  const mails = await mailsSoFar();
  expect(
    mails
      .map((m) => m.to)
      .flat()
      .sort(),
  ).toEqual(['carol@example.org', 'dave@example.org']);
  expect(mails[0]!.subject).toContain('review is due soon');
  expect(mails[0]!.text).toContain(`due on ${yearAfter(firstApproverAt).toISOString().slice(0, 10)}`);
  expect(mails[0]!.text).toContain('https://report.intake.test/dashboard/srt');
  expect(await reminderAudit()).toEqual([
    {
      actor_label: 'system',
      details: { reminder: 'month-before', dueAt: yearAfter(firstApproverAt).toISOString(), approvers: 2 },
    },
  ]);
});

test('overdue: one more mail to each approver, and the flag on every approver dashboard (not on the SRT members)', async () => {
  const at = days(yearAfter(firstApproverAt), 2);
  await upkeep(at);
  await upkeep(days(at, 5));
  await settleAfterQuiet(4);
  const overdue = (await mailsSoFar()).slice(2);
  expect(
    overdue
      .map((m) => m.to)
      .flat()
      .sort(),
  ).toEqual(['carol@example.org', 'dave@example.org']);
  expect(overdue[0]!.subject).toContain('review is overdue');
  expect((await reminderAudit()).map((r) => (r.details as { reminder: string }).reminder)).toEqual([
    'month-before',
    'overdue',
  ]);
  const notices = await srtNotices(s.database.db, signedIn(s.members.carol!), days(at, 30), false);
  expect(notices.map((n) => n.kind)).toEqual(['review-overdue']);
  expect(await srtNotices(s.database.db, signedIn(s.members.alice!), days(at, 30), true)).toEqual([]);
});

test('the review by decision: the flag goes, the next one is due a year later, and reminders start again', async () => {
  const reviewedAt = days(yearAfter(firstApproverAt), 40);
  const ctx = { now: reviewedAt, periods: { lazyConsensusHours: 72, cocLazyConsensusHours: 24 } };
  const id = await propose(s.database.db, signedIn(s.members.carol!), 'project', { kind: 'srt-reviewed' }, ctx);
  const passedAt = days(reviewedAt, 4);
  expect(await settleProposals(s.database.db, passedAt)).toEqual([expect.objectContaining({ id, status: 'passed' })]);
  const due = await srtReviewDue(s.database.db, days(passedAt, 1));
  expect(due).toMatchObject({ state: 'not-due', since: { basis: 'reviewed', at: passedAt } });
  expect(due.dueAt).toEqual(yearAfter(passedAt));
  expect(await srtNotices(s.database.db, signedIn(s.members.carol!), days(passedAt, 1), false)).toEqual([]);
  const [reviewed] = await s.database.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'srt.reviewed')
    .execute();
  expect(reviewed!.details).toEqual({
    wasDueAt: yearAfter(firstApproverAt).toISOString(),
    nextDueAt: yearAfter(passedAt).toISOString(),
    proposalId: id,
  });
  // Nothing to send now; a month before the new date, the approvers hear again.
  await upkeep(days(passedAt, 1));
  await upkeep(days(yearAfter(passedAt), -10));
  await settleAfterQuiet(6);
});

test('a review is refused while a delegated team is below two', async () => {
  await s.database.db.deleteFrom('srt_members').where('member_id', '=', s.members.bob!.id).execute();
  const ctx = { now: new Date(), periods: { lazyConsensusHours: 72, cocLazyConsensusHours: 24 } };
  const refused = await domainErrorOf(
    propose(s.database.db, signedIn(s.members.carol!), 'project', { kind: 'srt-reviewed' }, ctx),
  );
  expect(refused.message).toMatch(/at least 2/);
  // Flagged for everyone who handles security reports: alice and the approvers (not bob, off the team).
  for (const name of ['alice', 'carol'] as const)
    expect(
      (await srtNotices(s.database.db, signedIn(s.members[name]!), new Date(), false)).map((n) => n.kind),
    ).toContain('team-below-two');
  expect(await srtNotices(s.database.db, signedIn(s.members.bob!), new Date(), false)).toEqual([]);
});
