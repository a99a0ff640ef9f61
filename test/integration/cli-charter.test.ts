// `intake charter show / set` as an operator runs it: setting works on a new installation, is
// audited as the operator's, and is refused — like `intake committee set` — once an approver has
// signed in; show keeps working and says how each value came.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey, FIXTURE_KEYS_DIR } from '../helpers/keys';
import { runIntakeCli } from '../helpers/cli';

let t: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-cli-charter-'));
});
afterAll(async () => {
  await t.destroy();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const intake = async (...args: string[]) => {
  const r = await runIntakeCli(args, { DATABASE_URL: t.url, DATA_DIR: dataDir });
  return { code: r.code, out: r.stdout.toString(), err: r.stderr.toString() };
};
const shown = async () =>
  JSON.parse((await intake('charter', 'show', '--json')).out) as { key: string; value: unknown; how: string }[];

test('set works before any approver signed in, refuses bad values, and is refused afterwards', async () => {
  const first = await intake('charter', 'show');
  expect(first.code).toBe(0);
  expect(first.out).toContain('acknowledge-days.security = 2 days');
  expect(first.out).toContain('cncf-central-record = yes');
  expect(first.out).toContain('two-thirds of all approvers');

  const set = await intake('charter', 'set', 'acknowledge-days.coc', '4');
  expect(set).toMatchObject({ code: 0, out: 'acknowledge-days.coc = 4 days\n' });
  expect((await intake('charter', 'set', 'cncf-central-record', 'no')).code).toBe(0);
  const invalid = await intake('charter', 'set', 'acknowledge-days.coc', '400');
  expect(invalid.code).toBe(1);
  expect(invalid.err).toContain('whole number of days from 1 to 60');
  const unknown = await intake('charter', 'set', 'no-such-key', '4');
  expect(unknown.code).toBe(1);
  expect(unknown.err).toContain('no such setting');
  expect((await intake('charter', 'set', 'cncf-committee', 'x')).err).toContain('intake committee set');

  const after = await shown();
  expect(after.find((s) => s.key === 'acknowledge-days.coc')).toMatchObject({ value: 4, how: 'operator' });
  expect(after.find((s) => s.key === 'cncf-central-record')).toMatchObject({ value: false, how: 'operator' });
  expect(after.find((s) => s.key === 'acknowledge-days.security')).toMatchObject({ value: 2, how: 'default' });
  const audit = await t.db
    .selectFrom('audit_log')
    .select(['actor_label', 'details'])
    .where('action', '=', 'charter.set-by-operator')
    .orderBy('id')
    .execute();
  expect(audit.map((a) => [a.actor_label, a.details])).toEqual([
    ['operator', { key: 'acknowledge-days.coc', old: 3, new: 4 }],
    ['operator', { key: 'cncf-central-record', old: true, new: false }],
  ]);

  // The committee too, before the governance started.
  const keyFile = path.join(FIXTURE_KEYS_DIR, 'frank.pub.asc');
  expect((await intake('committee', 'set', '--email', 'frank@example.org', '--key', keyFile)).code).toBe(0);
  expect((await shown()).find((s) => s.key === 'cncf-committee')).toMatchObject({
    value: { email: 'frank@example.org', fingerprint: fixtureKey('frank').fingerprint },
    how: 'operator',
  });

  // An approver enrols (credentials on file): from now on, only a decision.
  const alice = await addFixtureMember(t.db, 'alice', 'approver');
  await t.db
    .insertInto('member_credentials')
    .values({
      member_id: alice.id,
      password_hash: 'argon2id-placeholder',
      totp_secret: 'JBSWY3DPEHPK3PXP',
      totp_last_step: null,
    })
    .execute();
  const refused = await intake('charter', 'set', 'acknowledge-days.coc', '5');
  expect(refused.code).toBe(1);
  expect(refused.err).toContain('An approver has signed in');
  const committee = await intake(
    'committee',
    'set',
    '--email',
    'gina@example.org',
    '--key',
    path.join(FIXTURE_KEYS_DIR, 'gina.pub.asc'),
  );
  expect(committee.code).toBe(1);
  expect(committee.err).toContain('only by a decision');
  expect((await shown()).find((s) => s.key === 'acknowledge-days.coc')).toMatchObject({ value: 4 });
  expect((await intake('committee', 'show', '--json')).out).toContain('frank@example.org');
});
