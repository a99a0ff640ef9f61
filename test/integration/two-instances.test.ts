// Two real app processes (`node --import tsx server/main.ts`) on one PostgreSQL, driven together as
// a load balancer would: the limits hold over both, each notification goes out once, references
// stay distinct, an intake-key rotation through the CLI reaches both at once, the audit chain
// verifies, and a SIGKILL of one mid-load loses no report that was acknowledged.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMessage, encrypt, readKey } from 'openpgp';
import { startAppProcess, type AppProcess } from '../helpers/app-process';
import { runIntakeCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { buildEncryptedPayload, type EncryptedPayload } from '../helpers/encrypted-payload';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { mimeEntity, pgpMimeMail, sendMail, startSmtpSink, type SmtpSink } from '../helpers/mail-scenario';

const PASSPHRASE = 'passphrase of the test intake key';
const SECURITY = 'security@intake.test';
let tdb: TestDatabase;
let sink: SmtpSink;
let dataDir: string;
let a: AppProcess;
let b: AppProcess;
const smtpPorts = new Map<AppProcess, number>();

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'carol', 'approver');
  await addFixtureMember(tdb.db, 'alice', 'srt');
  sink = await startSmtpSink();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'two-instances-'));
  const env = {
    SMTP_PORT: '0',
    SMTP_HOST: '127.0.0.1',
    SMTP_WORKERS: '1',
    MAIL_DOMAIN: 'intake.test',
    SMTP_URL: sink.url,
    SUBMISSION_RATE_LIMIT: '4',
    SMTP_RATE_LIMIT: '2',
    // Behind the proxy (here: the test itself), clients are told apart by X-Forwarded-For.
    TRUST_PROXY: 'loopback',
  };
  // Started together: both migrate and look for the intake key at once.
  [a, b] = await Promise.all([startAppProcess(tdb.url, env), startAppProcess(tdb.url, env)]);
  for (const app of [a, b]) smtpPorts.set(app, smtpPortOf(app));
}, 180_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await sink?.stop();
  await tdb?.destroy();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function smtpPortOf(app: AppProcess): number {
  for (const line of app.logLines) {
    const entry = JSON.parse(line) as { message?: string; port?: number };
    if (entry.message === 'SMTP intake listening' && typeof entry.port === 'number') return entry.port;
  }
  throw new Error('the instance logged no SMTP port');
}

const payloadFor = (text: string) =>
  buildEncryptedPayload({ kind: 'coc', recipientKeys: [fixtureKey('carol').publicKey], text });

async function submit(app: AppProcess, client: string, payload: EncryptedPayload) {
  const response = await fetch(`${app.url}/api/reports`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body: JSON.stringify(payload.body),
  });
  return { status: response.status, json: (await response.json()) as { reference?: string; error?: string } };
}

const cli = (args: string[]) =>
  runIntakeCli(args, {
    DATABASE_URL: tdb.url,
    DATA_DIR: dataDir,
    MAIL_DOMAIN: 'intake.test',
    INTAKE_KEY_PASSPHRASE: PASSPHRASE,
  });

async function until(condition: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('one intake key for both, made once although both started at once', async () => {
  const keys = await tdb.db.selectFrom('intake_keys').select('fingerprint').execute();
  expect(keys).toHaveLength(1);
  const served = await Promise.all([a, b].map(async (app) => (await fetch(`${app.url}/intake-key.asc`)).text()));
  expect(served[0]).toBe(served[1]);
});

test('the submission limit holds over both; references are distinct; each notification goes out once', async () => {
  const client = '203.0.113.7';
  const payloads = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => payloadFor(`limited ${i}`)));
  const accepted: string[] = [];
  for (const [i, app] of [a, b, a, b].entries()) {
    const result = await submit(app, client, payloads[i]!);
    expect(result.status).toBe(201);
    accepted.push(result.json.reference!);
  }
  expect(new Set(accepted).size).toBe(4);
  // Each instance alone saw two; together they saw the limit.
  for (const [i, app] of [a, b].entries()) {
    const limited = await submit(app, client, payloads[4 + i]!);
    expect(limited.status).toBe(429);
    expect(limited.json.error).toContain('Too many submissions');
  }
  // Another client is not affected.
  expect((await submit(b, '203.0.113.8', payloads[4]!)).status).toBe(201);
  const stored = await tdb.db.selectFrom('cases').select('reference').execute();
  expect(stored.map((c) => c.reference)).toEqual(expect.arrayContaining(accepted));

  // One notification per case to its one reader, although both instances work the mail queue.
  await sink.waitFor(5, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const toCarol = sink.messages.filter((m) => m.to.includes(fixtureKey('carol').email));
  expect(toCarol).toHaveLength(5);
  for (const reference of accepted)
    expect(toCarol.filter((m) => m.raw.toString('utf8').includes(reference))).toHaveLength(1);
}, 120_000);

test('an intake-key rotation through the CLI is used by both instances within seconds', async () => {
  const rotated = await cli(['intake-key', 'rotate']);
  expect(rotated.code).toBe(0);
  const active = await tdb.db
    .selectFrom('intake_keys')
    .select(['fingerprint', 'public_key'])
    .where('retired_at', 'is', null)
    .executeTakeFirstOrThrow();
  expect(rotated.stdout.toString('utf8').replace(/\s/g, '')).toContain(active.fingerprint);
  // Published by both (nothing else asks them to look: they hear the change from PostgreSQL).
  for (const app of [b, a])
    await until(
      async () => (await (await fetch(`${app.url}/intake-key.asc`)).text()).trim() === active.public_key.trim(),
      'the new key published',
      15_000,
    );

  // Mail encrypted to the new key alone is taken by either instance's SMTP intake.
  const newKey = await readKey({ armoredKey: active.public_key });
  const mail = async (subject: string) =>
    pgpMimeMail({
      from: 'reporter@example.net',
      to: SECURITY,
      subject,
      armored: await encrypt({
        message: await createMessage({ text: mimeEntity(`report under the new key: ${subject}`) }),
        encryptionKeys: newKey,
      }),
    });
  for (const app of [b, a]) {
    const result = await sendMail(smtpPorts.get(app)!, { to: SECURITY, raw: await mail(`to ${app.url}`) });
    expect(result.code).toBe(250);
  }
  // The SMTP limit (two per client) holds over both instances: the third message is deferred.
  const third = await sendMail(smtpPorts.get(b)!, { to: SECURITY, raw: await mail('third') });
  expect(third.code).toBe(451);
  expect(third.response).toContain('Too many messages');
}, 180_000);

test('a SIGKILL of one instance mid-load loses no acknowledged report; the audit chain verifies', async () => {
  const payloads = await Promise.all(Array.from({ length: 40 }, (_, i) => payloadFor(`load ${i}`)));
  const acknowledged: string[] = [];
  const failedOnA: unknown[] = [];
  let killed: Promise<void> | null = null;
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) {
      const i = next++;
      const app = i % 2 === 0 ? a : b;
      try {
        const result = await submit(app, `198.51.100.${i + 1}`, payloads[i]!);
        if (result.status >= 200 && result.status < 400) acknowledged.push(result.json.reference!);
      } catch (error) {
        if (app !== a) throw error;
        failedOnA.push(error);
      }
      if (acknowledged.length >= 6 && !killed) killed = a.kill();
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  await killed;
  expect(a.exit()?.signal).toBe('SIGKILL');
  expect(failedOnA.length).toBeGreaterThan(0);
  expect(acknowledged.length).toBeGreaterThan(20);

  const stored = new Set((await tdb.db.selectFrom('cases').select('reference').execute()).map((c) => c.reference));
  expect(acknowledged.filter((reference) => !stored.has(reference))).toEqual([]);
  // The survivor goes on taking reports.
  expect((await submit(b, '198.51.100.200', await payloadFor('after the kill'))).status).toBe(201);

  const verified = await cli(['audit', 'verify', '--json']);
  expect(verified.code).toBe(0);
  const chain = JSON.parse(verified.stdout.toString('utf8')) as { ok: boolean; rows: number };
  expect(chain.ok).toBe(true);
  // Every stored case wrote its row into the one chain, from whichever instance took it.
  expect(chain.rows).toBeGreaterThanOrEqual(stored.size);
}, 180_000);
