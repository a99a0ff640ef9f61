// What several instances on one PostgreSQL rely on besides the limits: an intake-key change made
// anywhere is heard by every instance at once (LISTEN/NOTIFY, also after the listening connection
// was lost), and instances that start together on a fresh database migrate it exactly once.
import crypto from 'node:crypto';
import pg from 'pg';
import { createKysely, migrateToLatest } from '../../db/connect';
import { migrations } from '../../db/migrations';
import { createTestDatabase, TEST_PG_URL_ENV, type TestDatabase } from '../helpers/db';
import { startDatabaseProxy } from '../helpers/db-proxy';
import { testArgon2Cost } from '../helpers/keys';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { followIntakeKeyChanges } from '../../server/intake-key/key-changes';
import { intakeIdentities, rotateIntakeKey } from '../../server/intake-key/intake-keys';
import { IntakeKeyring } from '../../server/intake-key/keyring';

const config = loadConfig({ DATA_DIR: '/nonexistent', MAIL_DOMAIN: 'intake.test' });
const passphrase = 'passphrase of the shared-state test';
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb.destroy();
});

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a rotation through one instance is in the other instance’s keyring at once, not after 30 s', async () => {
  const log = createLogger(() => undefined);
  const other = await IntakeKeyring.open({ db: tdb.db, config, passphrase, log, argon2: testArgon2Cost });
  const listener = followIntakeKeyChanges({ url: tdb.url, reload: () => other.refresh(true), log });
  try {
    const before = other.current().fingerprint;
    await until(async () => (await tdb.db.selectFrom('intake_keys').selectAll().execute()).length === 1, 'a key');
    // Give the listener its connection (it reloads once on connecting), then rotate elsewhere.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rotated = await rotateIntakeKey(tdb.db, {
      identities: intakeIdentities(config),
      passphrase,
      argon2: testArgon2Cost,
    });
    await until(() => other.current().fingerprint === rotated.fingerprint, 'the new key in the keyring', 5_000);
    expect(rotated.fingerprint).not.toBe(before);
    expect(other.decryptionKeys()).toHaveLength(2);
  } finally {
    await listener.close();
  }
});

test('the listener reconnects after its connection is lost, and hears the next change', async () => {
  const proxy = await startDatabaseProxy(new URL(tdb.url));
  const lines: string[] = [];
  let reloads = 0;
  const listener = followIntakeKeyChanges({
    url: proxy.url,
    reload: async () => void reloads++,
    log: createLogger((line) => lines.push(line)),
    retryMs: 100,
  });
  try {
    await until(() => reloads === 1, 'the reload on connecting');
    proxy.unplug();
    await until(() => lines.some((l) => l.includes('lost the connection')), 'the loss logged');
    proxy.plug();
    // On reconnecting it reloads once (a change may have been missed), then hears changes again.
    await until(() => reloads === 2, 'the reload on reconnecting');
    await rotateIntakeKey(tdb.db, { identities: intakeIdentities(config), passphrase, argon2: testArgon2Cost });
    await until(() => reloads === 3, 'the change heard after reconnecting');
    expect(lines.some((l) => l.includes('listening for intake-key changes again'))).toBe(true);
  } finally {
    await listener.close();
    await proxy.close();
  }
});

test('two instances migrating one fresh database at once: both start, each migration runs once', async () => {
  const server = process.env[TEST_PG_URL_ENV]!;
  const name = `intake_fresh_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const instances = [createKysely(`${server}/${name}`, 2), createKysely(`${server}/${name}`, 2)];
  try {
    await Promise.all(instances.map((db) => migrateToLatest(db)));
    const done = await instances[0]!
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute();
    expect(done.map((row) => (row as { name: string }).name).sort()).toEqual(Object.keys(migrations).sort());
    const tables = await instances[1]!.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['cases', 'rate_limit_counts', 'intake_keys']));
  } finally {
    await Promise.all(instances.map((db) => db.destroy()));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
