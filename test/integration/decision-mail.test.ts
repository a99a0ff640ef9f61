// Mail about decisions through pg-boss to a real SMTP sink: a proposal, a vote called and an outcome
// reach the approvers who may vote on it now — never the hard-conflicted approver the report names,
// nor one with a soft conflict — with a subject and body that say nothing of what it is about; the
// sender checks again when it sends.
import { simpleParser } from 'mailparser';
import type { MemberWithKey } from '../../db/members.queries';
import { badInput } from '../../server/errors';
import { createLogger } from '../../server/log';
import { createMailTemplates } from '../../server/mail/compose';
import { createNotificationSender } from '../../server/mail/notification-sender';
import { createMailer } from '../../server/mail/transport';
import { DECISION_EFFECTS } from '../../server/governance/decision-effects';
import type { DecisionEffects } from '../../server/governance/decision-settle';
import { callVote, castBallot, propose, type DecisionContext } from '../../server/governance/decisions';
import { signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';

let s: MailScenario;
let coc: { reference: string; id: string };
const effects: DecisionEffects = {
  ...DECISION_EFFECTS,
  refer: { check: async () => undefined, apply: async () => undefined },
  'extend-srt-access': {
    check: async () => undefined,
    apply: async () => {
      throw badInput('not carried out in this test');
    },
  },
};

beforeAll(async () => {
  s = await startMailScenario({
    members: [
      ['alice', 'approver'],
      ['bob', 'approver'],
      ['dave', 'approver'],
      ['carol', 'approver'],
      ['erin', 'srt'],
    ],
  });
  coc = await submitReport(s.database.db, 'coc', 'A maintainer mocked a newcomer.', [s.members.carol!.id]);
  await s.database.db
    .insertInto('case_conflicts')
    .values({
      case_id: coc.id,
      member_id: s.members.dave!.id,
      level: 'soft',
      ground: 'same-employer',
      recorded_by_member_id: s.members.alice!.id,
      lifted_at: null,
      lifted_by_proposal_id: null,
    })
    .execute();
});
afterAll(() => s?.close());
beforeEach(() => {
  s.sink!.messages.length = 0;
});

const as = (name: 'alice' | 'bob' | 'carol') => signedIn(s.members[name] as MemberWithKey);
const ctx = (): DecisionContext => ({
  now: new Date(),
  periods: { lazyConsensusHours: 72, cocLazyConsensusHours: 24 },
  events: s.mail.events,
  effects,
});
const recipients = () => s.sink!.messages.flatMap((m) => m.to).sort();
const emails = (...names: ('alice' | 'bob' | 'dave' | 'carol')[]) => names.map((n) => fixtureKey(n).email).sort();
const quiet = (ms = 1500) => new Promise((r) => setTimeout(r, ms));

test('a proposal, a vote called and the outcome on a case reach only its eligible approvers, content-free', async () => {
  const at = { reference: coc.reference };
  const id = await propose(s.database.db, as('alice'), at, { kind: 'refer' }, ctx());
  await s.sink!.waitFor(2);
  await quiet();
  expect(recipients()).toEqual(emails('alice', 'bob'));
  const mail = await simpleParser(s.sink!.messages[0]!.raw);
  expect(mail.subject).toBe(`[Kmesh] A decision is proposed on ${coc.reference}`);
  expect(mail.text).toContain(`/dashboard/cases/${coc.reference}`);
  expect(`${mail.subject} ${mail.text} ${String(mail.html)}`).not.toMatch(/refer|CNCF|committee/i);

  s.sink!.messages.length = 0;
  await callVote(s.database.db, as('bob'), at, id, 'objection', ctx());
  await castBallot(s.database.db, as('alice'), at, id, 'yes', ctx());
  await castBallot(s.database.db, as('bob'), at, id, 'yes', ctx());
  await s.sink!.waitFor(4);
  await quiet();
  const subjects = await Promise.all(s.sink!.messages.map(async (m) => [m.to[0], (await simpleParser(m.raw)).subject]));
  expect(subjects.sort()).toEqual(
    [
      [fixtureKey('alice').email, `[Kmesh] A vote is called on ${coc.reference}`],
      [fixtureKey('alice').email, `[Kmesh] A decision on ${coc.reference} has closed`],
      [fixtureKey('bob').email, `[Kmesh] A vote is called on ${coc.reference}`],
      [fixtureKey('bob').email, `[Kmesh] A decision on ${coc.reference} has closed`],
    ].sort(),
  );
});

test('a project proposal reaches every approver, the one excluded from a case too, and not the SRT', async () => {
  await propose(
    s.database.db,
    as('carol'),
    'project',
    { kind: 'extend-srt-access', subjectMemberId: s.members.erin!.id },
    ctx(),
  );
  await s.sink!.waitFor(4);
  await quiet();
  expect(recipients()).toEqual(emails('alice', 'bob', 'carol', 'dave'));
  const mail = await simpleParser(s.sink!.messages[0]!.raw);
  expect(mail.subject).toBe('[Kmesh] A decision is proposed on the project');
  expect(mail.text).toContain('/dashboard/decisions');
  expect(mail.text).not.toContain('Erin');
});

test('the sender checks again: a job for a member who may not vote on it (any more) sends nothing', async () => {
  const id = (
    await s.database.db.selectFrom('proposals').select('id').where('case_id', '=', coc.id).executeTakeFirstOrThrow()
  ).id;
  const lines: string[] = [];
  const send = createNotificationSender({
    db: s.database.db,
    mailer: createMailer(s.config.mail),
    templates: createMailTemplates(s.config),
    config: s.config,
    log: createLogger((line) => lines.push(line)),
  });
  for (const name of ['carol', 'dave'] as const)
    await send({ event: 'decision', change: 'closed', proposalId: id, memberId: s.members[name]!.id });
  await send({ event: 'decision', change: 'closed', proposalId: id, memberId: s.members.bob!.id });
  await s.sink!.waitFor(1);
  await quiet(500);
  expect(recipients()).toEqual(emails('bob'));
  expect(lines.filter((l) => l.includes('may not vote on this decision'))).toHaveLength(2);
});
