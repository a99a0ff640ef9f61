// Case references: PREFIX-YEAR-NNNN, numbered per kind and year, never cut short past 9999.
import { sql } from 'kysely';
import { submitPlaintextReport } from '../../server/reports';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, testArgon2Cost } from '../helpers/keys';

let t: TestDatabase;
const year = new Date().getUTCFullYear();
const submit = (kind: 'security' | 'coc') =>
  submitPlaintextReport(t.db, { kind, involvedIds: [], document: 'x', attachments: [] }, { channel: 'web-no-js', argon2: testArgon2Cost });

beforeAll(async () => {
  t = await createTestDatabase();
  await addFixtureMember(t.db, 'carol', 'approver');
});
afterAll(async () => {
  await t.destroy();
});

test('each kind counts on its own, from 0001', async () => {
  expect((await submit('security')).reference).toBe(`SEC-${year}-0001`);
  expect((await submit('coc')).reference).toBe(`COC-${year}-0001`);
  expect((await submit('security')).reference).toBe(`SEC-${year}-0002`);
});

test('the 10,000th case of a year gets five digits, not a clash', async () => {
  await sql`SELECT setval(${`case_number_security_${year}`}::regclass, 9999)`.execute(t.db);
  expect((await submit('security')).reference).toBe(`SEC-${year}-10000`);
  expect((await submit('security')).reference).toBe(`SEC-${year}-10001`);
});
