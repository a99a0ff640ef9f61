// The charter's first values at start (issue 11 §3): the environment's values become 'seed' rows
// for keys that have none (audited once); afterwards an environment value that differs from the
// charter is ignored, with one warning naming the variables; one not set, or equal, says nothing.
import { loadConfig } from '../../server/config';
import { readCharter } from '../../server/governance/charter';
import { seedCharter } from '../../server/governance/charter-seed';
import { CHARTER_SETTINGS } from '../../server/governance/charter-settings';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
const log = { warn: (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields }) };
const start = (env: Record<string, string>) => seedCharter(t.db, loadConfig(env), env, log);

test('first start seeds every key from the environment; a later different value is ignored with one warning', async () => {
  const env = { ACK_DAYS_SECURITY: '4', LAZY_CONSENSUS_HOURS: '96', COC_COMMITTEE_EMAIL: 'coc@example.org' };
  const seeded = await start(env);
  expect(seeded.sort()).toEqual([...CHARTER_SETTINGS.keys()].sort());
  expect(warnings).toEqual([]);
  const rows = await t.db.selectFrom('charter_settings').select(['key', 'value', 'changed_by']).execute();
  expect(rows.every((r) => r.changed_by === 'seed')).toBe(true);
  const charter = await readCharter(t.db, loadConfig({}));
  expect(charter.acknowledgeDays).toEqual({ security: 4, coc: 3 });
  expect(charter.lazyConsensusHours).toBe(96);
  expect(charter.cncfCommittee).toEqual({ email: 'coc@example.org', fingerprint: null });
  const audit = await t.db
    .selectFrom('audit_log')
    .select(['details', 'actor_label'])
    .where('action', '=', 'charter.seeded')
    .execute();
  expect(audit).toHaveLength(1);

  // The same environment again: nothing to say, nothing written.
  expect(await start(env)).toEqual([]);
  expect(warnings).toEqual([]);

  // A different environment: the charter stands, one warning names the variables.
  await start({
    ACK_DAYS_SECURITY: '6',
    LAZY_CONSENSUS_HOURS: '96',
    TRIAGE_DAYS_COC: '20',
    COC_COMMITTEE_EMAIL: 'other@example.org',
  });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.fields).toMatchObject({
    ignored: ['ACK_DAYS_SECURITY', 'TRIAGE_DAYS_COC', 'COC_COMMITTEE_EMAIL'],
  });
  expect((await readCharter(t.db, loadConfig({ ACK_DAYS_SECURITY: '6' }))).acknowledgeDays.security).toBe(4);

  // Not set at all: the defaults differ from the charter, but nobody asked for them.
  warnings.length = 0;
  await start({});
  expect(warnings).toEqual([]);
  expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'charter.seeded').execute()).toHaveLength(
    1,
  );
});
