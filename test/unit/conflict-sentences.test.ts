// The audit trail in words for conflicts and the liaison: names from the readers, a ground in words,
// the reporter's choice without a name (the named approver does not read the case), and why an
// appointment ended.
import { auditSentences } from '../../server/audit/audit-sentences';
import { auditRowMaker } from '../helpers/audit-rows';
import { GROUND_LEVELS } from '../../server/governance/conflicts';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const names = new Map([
  [ALICE, 'Alice'],
  [BOB, 'Bob'],
]);
const row = auditRowMaker(names);

test('each conflict and liaison action reads as a sentence', () => {
  const trail = [
    row('conflict.recorded', null, { memberId: 'x', level: 'hard', ground: 'involved' }, 'reporter'),
    row('conflict.recorded', ALICE, { memberId: BOB, level: 'soft', ground: 'same-employer' }),
    row('conflict.declared', BOB, { memberId: BOB, level: 'hard', ground: 'close-relationship' }),
    row('conflict.lifted', null, { memberId: BOB, proposalId: 'p' }, 'system'),
    row('conflict.downgraded', null, { memberId: BOB }, 'system'),
    row('liaison.appointed', null, { memberId: BOB }, 'system'),
    row('liaison.decision-recorded', BOB, { messageId: 'm', committeeClosed: false }),
    row('liaison.decision-recorded', BOB, { messageId: 'm', committeeClosed: true }),
    row('liaison.ended', BOB, { memberId: BOB, because: 'committee-closed' }),
    row('liaison.ended', ALICE, { memberId: BOB, because: 'constructor' }),
  ];
  expect(auditSentences('coc', trail, names).map((s) => s.text)).toEqual([
    'The reporter named an approver as involved, who therefore does not read it.',
    'Alice recorded a soft conflict of interest (the same employer) for Bob.',
    'Bob declared a hard conflict of interest (a close relationship with the accused or a target).',
    'A decision lifted a conflict of interest of Bob.',
    'A decision downgraded a conflict of interest of Bob to soft.',
    'Bob was appointed liaison with the CNCF Code of Conduct Committee.',
    "Bob recorded the committee's decision.",
    "Bob recorded the committee's decision, and that the committee closed its case.",
    'The appointment of Bob as liaison ended (the committee closed its case).',
    // A stored word that is not one of ours finds no inherited name.
    'The appointment of Bob as liaison ended (ended).',
  ]);
});

test('the level follows the ground (CNCF CoC procedures)', () => {
  expect([...GROUND_LEVELS]).toEqual([
    ['accused-or-target', 'hard'],
    ['close-relationship', 'hard'],
    ['same-employer', 'soft'],
    ['appearance', 'soft'],
  ]);
});
