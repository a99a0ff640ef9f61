// The access, grant and referral rows of a case's trail in words (issue 10): names only of the
// case's readers, counts, never anything else.
import { auditSentences } from '../../server/audit/audit-sentences';
import { auditRowMaker } from '../helpers/audit-rows';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const ERIN = '00000000-0000-4000-8000-00000000000e';
const GONE = '00000000-0000-4000-8000-0000000000ff';
const names = new Map([
  [ALICE, 'Alice'],
  [ERIN, 'Erin'],
]);
const row = auditRowMaker(names);

test('grants, failed grants, revocations and referrals read as sentences', () => {
  const text = auditSentences(
    'coc',
    [
      row('access.reader-added', null, { memberId: ERIN, via: 'liaison' }, 'system'),
      row('access.granted', ALICE, { memberId: ERIN, messages: 3 }),
      row('access.grant-failed', ERIN, { memberId: ERIN, messages: 1, grantedByMemberId: ALICE }),
      row('access.revoked', null, { memberId: GONE, reason: 'hard-conflict', packets: 4 }, 'system'),
      row('referral.started', null, { referralId: 'r', messages: 5, committeeKeyFingerprint: 'AB' }, 'system'),
      row('access.granted', ALICE, { committeeKeyFingerprint: 'AB', messages: 5 }),
      row('referral.sent', null, { referralId: 'r', messages: 5, committeeKeyFingerprint: 'AB' }, 'system'),
    ],
    names,
  ).map((s) => s.text);
  expect(text).toEqual([
    'The system made Erin a reader (appointed liaison).',
    'Alice granted Erin 3 messages.',
    'Erin could not decrypt 1 message granted to them; the grant is pending again.',
    'The system took away the access of someone who no longer reads it (a hard conflict of interest); 4 key packets deleted.',
    "The system started a referral of 5 messages to the CNCF CoC Committee; it is sent once they are re-wrapped to the committee's key.",
    "Alice re-wrapped 5 messages for the CNCF CoC Committee's key.",
    'The system sent 5 messages to the CNCF CoC Committee, encrypted to its key.',
  ]);
});
