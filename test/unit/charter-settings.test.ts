// The charter's registry: which settings need two-thirds ("Modifying this Charter") and which a
// simple majority, each value's check, typed values read from text, titles and audit sentences.
import { CHARTER_SETTINGS, charterDefaults } from '../../server/governance/charter-settings';
import {
  describeSettingValue,
  settingChangeTitle,
  settingThreshold,
  settingValueFromText,
} from '../../server/governance/charter';
import { BUILT_IN_CHARTER } from '../../server/governance/charter';
import { auditSentences } from '../../server/audit/audit-sentences';

test('what changes the governance needs two-thirds; facts and presentation a simple majority', () => {
  const byThreshold = (t: string) => [...CHARTER_SETTINGS].filter(([, d]) => d.threshold === t).map(([k]) => k);
  expect(byThreshold('majority').sort()).toEqual([
    'cncf-committee',
    'transparency.period-months',
    'transparency.small-count',
  ]);
  expect(byThreshold('two-thirds')).toEqual(
    expect.arrayContaining([
      'acknowledge-days.security',
      'lazy-consensus-hours',
      'retention-days.coc',
      'cncf-central-record',
    ]),
  );
  // An unknown key is treated as the stricter one.
  expect(settingThreshold('no-such-setting')).toBe('two-thirds');
  expect(settingThreshold('__proto__')).toBe('two-thirds');
});

test('each value is checked, and read from text as a form or the CLI types it', () => {
  const ack = CHARTER_SETTINGS.get('acknowledge-days.security')!;
  expect(ack.parse(settingValueFromText(ack, ' 7 '))).toBe(7);
  for (const text of ['0', '61', '2.5', 'two', '', '1e3'])
    expect(() => ack.parse(settingValueFromText(ack, text))).toThrow(/whole number/);
  const record = CHARTER_SETTINGS.get('cncf-central-record')!;
  expect(record.parse(settingValueFromText(record, 'No'))).toBe(false);
  expect(() => record.parse(settingValueFromText(record, 'maybe'))).toThrow('Choose yes or no.');
  const committee = CHARTER_SETTINGS.get('cncf-committee')!;
  expect(() => committee.parse({ email: 'not an address', fingerprint: null })).toThrow(/e-mail/);
  expect(committee.read(charterDefaults(BUILT_IN_CHARTER))).toEqual({ email: 'conduct@cncf.io', fingerprint: null });
});

test('titles and values in words', () => {
  expect(settingChangeTitle('acknowledge-days.coc', 1)).toBe(
    'Change “Days to acknowledge a Code of Conduct report” to 1 day',
  );
  expect(settingChangeTitle('cncf-central-record', false)).toContain('to no');
  expect(settingChangeTitle('hasOwnProperty', 3)).toBe('Change a setting of the charter');
  expect(describeSettingValue(CHARTER_SETTINGS.get('lazy-consensus-hours')!, 48)).toBe('48 hours');
});

test('the audit sentences of the charter', () => {
  const entry = (action: string, details: Record<string, unknown>, actorLabel = 'system') => ({
    position: 1,
    action,
    actorMemberId: null,
    actorName: null,
    actorLabel,
    details,
    createdAt: new Date(),
    hash: null,
  });
  const [changed, set, seeded] = auditSentences(
    'security',
    [
      entry('charter.changed', { key: 'acknowledge-days.security', old: 2, new: 5, proposalId: '1' }),
      entry('charter.set-by-operator', { key: 'acknowledge-days.coc', old: 3, new: 4 }, 'operator'),
      entry('charter.seeded', { keys: ['a', 'b'] }, 'operator'),
    ],
    new Map(),
  );
  expect(changed!.text).toBe("A decision changed the charter's setting acknowledge-days.security from 2 to 5.");
  expect(set!.text).toContain('The operator set the charter');
  expect(seeded!.text).toContain('2 settings');
});
