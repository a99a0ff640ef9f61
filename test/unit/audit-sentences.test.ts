// The audit trail in words (issue 8 item 9): one sentence per row, runs of views by one person folded,
// names looked up among the readers, and an action without a sentence still shown, never dropped.
import type { AuditEntry } from '../../server/audit/audit-log';
import { CHANNEL_WORDS, auditSentences } from '../../server/audit/audit-sentences';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const names = new Map([
  [ALICE, 'Alice'],
  [BOB, 'Bob'],
]);
let clock = Date.UTC(2026, 11, 1, 9, 0);
let position = 0;
function row(
  action: string,
  actor: string | null,
  details: Record<string, unknown> = {},
  label = 'member',
): AuditEntry {
  clock += 60_000;
  return {
    position: ++position,
    action,
    actorMemberId: actor,
    actorName: actor ? (names.get(actor) ?? null) : null,
    actorLabel: label,
    details,
    createdAt: new Date(clock),
    hash: null,
  };
}

test('each action reads as a sentence, with state labels and names', () => {
  const trail = [
    row('case.created', null, { kind: 'security', channel: 'email' }, 'reporter'),
    row('case.status-changed', ALICE, { from: 'new', to: 'acknowledged' }),
    row('case.status-changed', ALICE, { from: 'assessing', to: 'duplicate', duplicateOf: 'SEC-2026-0002' }),
    row('case.status-changed', BOB, { from: 'duplicate', to: 'assessing', reopened: true, noteId: 'x' }),
    row('case.assigned', ALICE, { assigneeId: BOB }),
    row('case.assigned', ALICE, { assigneeId: null }),
    row('case.severity-set', ALICE, { vector: 'CVSS:3.1/AV:N', score: 9.8, cwe: 'CWE-79', affectedVersions: '< 2.0' }),
    row('case.embargo-set', ALICE, { until: '2027-03-31' }),
    row('case.expedited', ALICE, { expedited: true }),
    row('case.reporter-replied', null, { messageId: 'm' }, 'reporter'),
    row('case.escalated', null, { reason: 'response-time target missed' }, 'system'),
  ];
  expect(auditSentences('security', trail, names).map((s) => s.text)).toEqual([
    'The report arrived by e-mail.',
    'Alice moved it from New to Acknowledged.',
    'Alice moved it from Assessing to Closed: duplicate, as a duplicate of SEC-2026-0002.',
    'Bob reopened it (from Closed: duplicate to Assessing) and left the reason as a note for the readers.',
    'Alice assigned it to Bob.',
    'Alice left it unassigned.',
    'Alice set the severity to 9.8 (CVSS:3.1/AV:N), CWE-79, affected: < 2.0.',
    'Alice set the date to 2027-03-31.',
    'Alice marked it expedited: the embargo broke.',
    'The reporter sent a message.',
    'The system told the readers that it is overdue (response-time target missed).',
  ]);
});

test('consecutive views by one person fold into one sentence spanning their times; another person breaks the run', () => {
  const trail = [
    row('case.viewed', ALICE),
    row('case.viewed', ALICE),
    row('case.viewed', ALICE),
    row('case.viewed', BOB),
    row('case.viewed', ALICE),
  ];
  const sentences = auditSentences('coc', trail, names);
  expect(sentences.map((s) => s.text)).toEqual(['Alice viewed it 3 times.', 'Bob viewed it.', 'Alice viewed it.']);
  expect(sentences[0]!.positions).toEqual(trail.slice(0, 3).map((r) => r.position));
  expect([sentences[0]!.from, sentences[0]!.to]).toEqual([trail[0]!.createdAt, trail[2]!.createdAt]);
});

test('a removed member, an unknown assignee, and an action with no sentence yet', () => {
  const gone = row('case.viewed', '00000000-0000-4000-8000-0000000000ff');
  const sentences = auditSentences(
    'coc',
    [
      gone,
      row('case.assigned', ALICE, { assigneeId: '00000000-0000-4000-8000-0000000000ff' }),
      row('case.vote-opened', ALICE, {}),
    ],
    names,
  );
  expect(sentences.map((s) => s.text)).toEqual([
    'A former member viewed it.',
    'Alice assigned it to someone who no longer reads it.',
    'Alice: vote opened.',
  ]);
});

test('every channel has words', () => {
  expect(Object.keys(CHANNEL_WORDS).sort()).toEqual(['email', 'web', 'web-no-js']);
  expect(CHANNEL_WORDS['web-no-js']).toBe('web form, without JavaScript');
});

test('decisions read as sentences that name the kind, never who a proposal is about', () => {
  const tally = { eligible: 3, yes: 2, no: 0, abstain: 1, needed: 2 };
  const trail = [
    row('decision.proposed', ALICE, { proposalId: 'p', kind: 'appoint-liaison', subjectMemberId: BOB }),
    row('decision.vote-called', BOB, { proposalId: 'p', as: 'demand' }),
    row('decision.vote-called', BOB, { proposalId: 'p', as: 'objection' }),
    row('decision.ballot-cast', ALICE, { proposalId: 'p', memberId: ALICE, choice: 'abstain' }),
    row('decision.passed', null, { proposalId: 'p', kind: 'appoint-liaison', rule: 'vote', ...tally }, 'system'),
    row('decision.passed', null, { proposalId: 'q', kind: 'refer', rule: 'lazy-consensus', ...tally }, 'system'),
    row(
      'decision.rejected',
      null,
      { proposalId: 'r', kind: 'lift-conflict', rule: 'vote', ...tally, yes: 1 },
      'system',
    ),
    row('decision.lapsed', null, { proposalId: 's', kind: 'refer', because: 'no-eligible-approver' }, 'system'),
    row('decision.lapsed', null, { proposalId: 't', kind: 'toString', because: 'cannot-be-carried-out' }, 'system'),
    row('decision.withdrawn', ALICE, { proposalId: 'u', kind: 'end-liaison' }),
  ];
  expect(auditSentences('coc', trail, names).map((s) => s.text)).toEqual([
    'Alice proposed to appoint a liaison.',
    'Bob demanded a vote on a proposal.',
    'Bob objected to a proposal: it is put to a vote.',
    'Alice voted abstain on a proposal.',
    'The proposal to appoint a liaison passed by vote (2 yes, 0 no, 1 abstain of 3 eligible, 2 needed).',
    'The proposal to refer the case to the CNCF CoC Committee passed by lazy consensus.',
    'The proposal to lift a conflict of interest was rejected (1 yes, 0 no, 1 abstain of 3 eligible, 2 needed).',
    'The proposal to refer the case to the CNCF CoC Committee lapsed: no eligible approver was left.',
    'The proposal to decide something lapsed: it could no longer be carried out.',
    'Alice withdrew the proposal to end a liaison’s appointment.',
  ]);
});
