import {
  MAX_FIELD_CHARS,
  REPORT_FIELDS,
  composeReportDocument,
  isReportKind,
  pickReportFields,
  reportFieldProblems,
} from '../../server/intake/report-form';

describe('pickReportFields', () => {
  test('keeps the known fields of the kind, trimmed, and drops anything else', () => {
    const values = pickReportFields('security', {
      body: '  crash on start \r\n',
      component: 'cni',
      receipt: 'x',
      kind: 'coc',
    });
    expect(Object.keys(values).sort()).toEqual(REPORT_FIELDS.security.map((f) => f.name).sort());
    expect(values.body).toBe('crash on start');
    expect(values.component).toBe('cni');
    expect(values.version).toBe('');
    expect(values).not.toHaveProperty('receipt');
  });

  test('normalizes CRLF and joins repeated fields', () => {
    const values = pickReportFields('coc', { body: 'line one\r\nline two', people: ['@a', '@b'] });
    expect(values.body).toBe('line one\nline two');
    expect(values.people).toBe('@a\n@b');
  });

  test('turns non-text values into empty strings', () => {
    const values = pickReportFields('coc', { body: 42, when: { $gt: '' }, where: null });
    expect([values.body, values.when, values.where]).toEqual(['', '', '']);
  });
});

describe('reportFieldProblems', () => {
  test('a missing description is a problem, named by its label', () => {
    expect(reportFieldProblems('security', pickReportFields('security', {}))).toEqual([
      '"Description and steps to reproduce" is required.',
    ]);
    expect(reportFieldProblems('coc', pickReportFields('coc', { body: '   ' }))).toEqual([
      '"What happened" is required.',
    ]);
  });

  test('a complete form has no problems', () => {
    expect(reportFieldProblems('coc', pickReportFields('coc', { body: 'It happened.' }))).toEqual([]);
  });

  test('an over-long field is a problem, at exactly one character past the limit', () => {
    expect(reportFieldProblems('coc', { body: 'x'.repeat(MAX_FIELD_CHARS) })).toEqual([]);
    const problems = reportFieldProblems('coc', { body: 'x'.repeat(MAX_FIELD_CHARS + 1) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/attach it as a file/);
  });
});

describe('composeReportDocument', () => {
  test('writes a readable document with the filled fields in form order, skipping empty ones', () => {
    const values = pickReportFields('security', { body: 'Steps: 1, 2, 3', component: 'daemon', impact: '' });
    expect(composeReportDocument('security', values)).toBe(
      '# Security vulnerability report\n\n## Affected component\n\ndaemon\n\n## Description and steps to reproduce\n\nSteps: 1, 2, 3\n',
    );
  });

  test('lists the approvers the reporter marked as involved inside the encrypted document', () => {
    const document = composeReportDocument('coc', { body: 'x' }, ['Dave Approver', 'Erin Approver']);
    expect(document).toMatch(/^# Code of Conduct report\n/);
    expect(document).toContain('they cannot read this report');
    expect(document).toContain('- Dave Approver\n- Erin Approver\n');
  });

  test('has no involved section when nobody is named', () => {
    expect(composeReportDocument('coc', { body: 'x' })).not.toContain('involved');
  });
});

test('isReportKind accepts only the two kinds', () => {
  expect(['security', 'coc'].every(isReportKind)).toBe(true);
  for (const value of ['SECURITY', 'other', '', undefined, 1, ['coc']]) expect(isReportKind(value)).toBe(false);
});
