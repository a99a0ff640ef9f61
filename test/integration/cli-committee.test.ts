// `intake committee set / show` as an operator runs it: the same key checks as a member's, audited,
// and a replaced key retired.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixtureKey, FIXTURE_KEYS_DIR } from '../helpers/keys';
import { runIntakeCli } from '../helpers/cli';

let t: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-cli-committee-'));
});
afterAll(async () => {
  await t.destroy();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const intake = (...args: string[]) => runIntakeCli(args, { DATABASE_URL: t.url, DATA_DIR: dataDir });
const keyFile = (name: string) => path.join(FIXTURE_KEYS_DIR, `${name}.pub.asc`);

test('show says none is set; set refuses a bad key or a wrong address, accepts a good one, and replaces it', async () => {
  expect((await intake('committee', 'show')).stdout.toString()).toContain('No committee key is set');
  const expired = await intake('committee', 'set', '--email', 'expired@example.org', '--key', keyFile('expired'));
  expect(expired.code).toBe(1);
  expect(expired.stderr.toString()).toContain('expired');
  const mismatch = await intake('committee', 'set', '--email', 'conduct@cncf.io', '--key', keyFile('frank'));
  expect(mismatch.code).toBe(1);
  expect(mismatch.stderr.toString()).toContain('no user ID for conduct@cncf.io');

  const set = await intake('committee', 'set', '--email', 'frank@example.org', '--key', keyFile('frank'));
  expect(set.code).toBe(0);
  expect(set.stdout.toString()).toContain(fixtureKey('frank').fingerprint);
  const again = await intake('committee', 'set', '--email', 'gina@example.org', '--key', keyFile('gina'));
  expect(again.code).toBe(0);
  const shown = JSON.parse((await intake('committee', 'show', '--json')).stdout.toString());
  expect(shown).toMatchObject({ email: 'gina@example.org', fingerprint: fixtureKey('gina').fingerprint });
  const keys = await t.db
    .selectFrom('committee_keys')
    .select(['fingerprint', 'retired_at'])
    .orderBy('created_at')
    .execute();
  expect(keys.map((k) => [k.fingerprint, k.retired_at === null])).toEqual([
    [fixtureKey('frank').fingerprint, false],
    [fixtureKey('gina').fingerprint, true],
  ]);
  const audit = await t.db
    .selectFrom('audit_log')
    .select(['actor_label', 'details'])
    .where('action', '=', 'committee.key-set')
    .orderBy('id')
    .execute();
  expect(audit.map((a) => [a.actor_label, a.details.fingerprint, a.details.previousFingerprint])).toEqual([
    ['operator', fixtureKey('frank').fingerprint, null],
    ['operator', fixtureKey('gina').fingerprint, fixtureKey('frank').fingerprint],
  ]);
});
