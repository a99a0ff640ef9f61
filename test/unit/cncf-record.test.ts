// The CoC remedy's typed fields and the rule of the CNCF procedures on legal consultation, and the
// central record's rows of a case's trail in words (ids, kinds and dates only).
import { auditSentences } from '../../server/audit/audit-sentences';
import { needsLegalConsultation, parseRemedy, remedyWords } from '../../server/governance/coc-remedy';
import { cocResolutionTitle } from '../../server/governance/cncf-record';
import { DomainError } from '../../server/errors';
import { auditRowMaker } from '../helpers/audit-rows';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

test.each([
  [{ resolution: 'no-violation' }, false],
  [{ resolution: 'warning' }, false],
  [{ resolution: 'warning', namedPublicly: 'yes' }, true],
  [{ resolution: 'temporary-ban', months: '1' }, false],
  [{ resolution: 'temporary-ban', months: '2' }, false],
  [{ resolution: 'temporary-ban', months: '3' }, true],
  [{ resolution: 'temporary-ban', months: 24 }, true],
  [{ resolution: 'permanent-ban' }, true],
  [{ resolution: 'other' }, false],
  [{ resolution: 'other', namedPublicly: true }, true],
])('%j needs a legal consultation: %s', (details, expected) => {
  expect(needsLegalConsultation(parseRemedy(details))).toBe(expected);
});

test('months belong to a temporary ban only, and must be whole and in range', () => {
  expect(parseRemedy({ resolution: 'warning', months: '5' }).months).toBeNull();
  for (const months of ['', '0', '1.5', 'three', '1201', '-2'])
    expect(refusal(() => parseRemedy({ resolution: 'temporary-ban', months })).message).toContain('whole months');
  expect(refusal(() => parseRemedy({ resolution: 'no-violation', namedPublicly: 'yes' })).message).toContain(
    'names nobody',
  );
  expect(refusal(() => parseRemedy({ resolution: 'banished' })).message).toContain('no-violation, warning');
});

test('a remedy in words, and the title of its decision', () => {
  expect(remedyWords({ resolution: 'temporary-ban', months: 1, namedPublicly: false })).toBe(
    'temporary ban of 1 month',
  );
  expect(cocResolutionTitle({ resolution: 'permanent-ban', months: null, namedPublicly: true })).toBe(
    'Resolve this case: permanent ban, naming the person publicly',
  );
  expect(cocResolutionTitle({ resolution: 'nonsense' })).toBe('Resolve this case with a remedy');
});

test('the central record rows read as sentences', () => {
  const CAROL = '00000000-0000-4000-8000-00000000000c';
  const names = new Map([[CAROL, 'Carol']]);
  const row = auditRowMaker(names);
  const text = auditSentences(
    'coc',
    [
      row('cncf.notice-written', CAROL, { noticeId: 'n', stage: 'incident', committeeKeyFingerprint: 'AB' }),
      row('cncf.notice-sent', null, { noticeId: 'n', stage: 'incident', writtenByMemberId: CAROL }, 'system'),
      row('cncf.legal-consulted', CAROL, { consultationId: 'l', consultedOn: '2026-11-30', counsel: 'cncf-legal' }),
      row('cncf.legal-consulted', CAROL, {
        consultationId: 'l',
        consultedOn: '2026-11-29',
        counsel: 'other-counsel',
        noteMessageId: 'm',
      }),
    ],
    names,
  ).map((s) => s.text);
  expect(text).toEqual([
    "Carol wrote the incident notice for the CNCF CoC Committee's central record, encrypted to the committee's key.",
    "The system mailed the incident notice to the CNCF CoC Committee's central record.",
    'Carol recorded a legal consultation (CNCF legal, on 2026-11-30).',
    'Carol recorded a legal consultation (other counsel, on 2026-11-29), with a note to the readers.',
  ]);
});
