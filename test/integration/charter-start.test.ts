// The real server's start (server/main.ts) and the charter: the first start writes the
// environment's values; a later start with a different value keeps the charter's, logs one
// warning naming the variable, and the security policy promises the charter's times.
import { startAppProcess } from '../helpers/app-process';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

test('the first start seeds the charter from the environment; a later different value is ignored with a warning', async () => {
  const first = await startAppProcess(t.url, { ACK_DAYS_SECURITY: '4', TRIAGE_DAYS_SECURITY: '15' });
  try {
    expect(first.logLines.filter((l) => l.includes('ignored'))).toEqual([]);
    const policy = await (await fetch(`${first.url}/security-policy`)).text();
    expect(policy).toContain('within 4 business days');
    expect(policy).toContain('within 15 business days');
  } finally {
    await first.stop();
  }
  const rows = await t.db.selectFrom('charter_settings').select(['key', 'value', 'changed_by']).execute();
  expect(rows.find((r) => r.key === 'acknowledge-days.security')).toMatchObject({ value: 4, changed_by: 'seed' });

  const second = await startAppProcess(t.url, { ACK_DAYS_SECURITY: '7', TRIAGE_DAYS_SECURITY: '15' });
  try {
    const warnings = second.logLines.filter((l) => l.includes('environment values differ'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', ignored: ['ACK_DAYS_SECURITY'] });
    const policy = await (await fetch(`${second.url}/security-policy`)).text();
    expect(policy).toContain('within 4 business days');
    expect(policy).not.toContain('within 7 business days');
  } finally {
    await second.stop();
  }
});
