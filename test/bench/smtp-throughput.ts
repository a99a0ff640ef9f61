// SMTP intake throughput: 10 KB PGP/MIME mails, each decrypted with the intake key, re-encrypted to
// five readers (and a reporter key) and committed, against an smtp-server in the same run that only
// accepts and discards. Target (issue 13 §3.3): at least 200 mails per second on a 2-core machine.
//
// Alone:     node --import tsx test/bench/smtp-throughput.ts
// From run.ts: import { runSmtpThroughputBench, printSmtpThroughput } from './smtp-throughput';
// Sizes: BENCH_SMTP_MAILS (2000), BENCH_SMTP_WARMUP (200), BENCH_SMTP_CONCURRENCY (16).
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeWrites, writeSnapshot } from './postgres-writes';
import nodemailer from 'nodemailer';
import { createMessage, encrypt, readKey, readPrivateKey, type PublicKey } from 'openpgp';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../db/embedded';
import { messageConfig } from '../../crypto/openpgp-config';
import { decryptSplit } from '../../crypto/split-message';
import { addMember } from '../../server/governance/members';
import { cpuPerRequest, cpuSnapshot, type CpuSnapshot } from './cpu-usage';
import { fixtureIndex } from './bench-database';
import { startServerProcess, type ServerProcess } from './server-process';
import { BENCH_MAIL_DOMAIN, BENCH_PASSPHRASE } from './smtp-bench-settings';
import { ms, summarize, table, verdict, type LatencySummary } from './stats';
import { measureMailStages, printMailStages, type StageFigures } from './smtp-stages';
import { intakeKeysForDecryption } from '../../db/intake-keys.queries';
import { unlockIntakeKey } from '../../crypto/intake-key';

export const SMTP_TARGET_PER_SECOND = 200;
const READERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const KEYS_DIR = path.join(__dirname, '..', 'fixtures', 'keys');

export interface SmtpPhase {
  mails: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  /** CPU milliseconds per mail: the SMTP server's process, PostgreSQL, this (the client) process. */
  cpu: CpuSnapshot | null;
  /** What the phase made PostgreSQL write, per mail (postgres-writes.ts). */
  writes: string;
}

export interface SmtpThroughputResult {
  ours: SmtpPhase;
  discard: SmtpPhase;
  mailBytes: number;
  readers: number;
  concurrency: number;
  /** Checked after the run: every mail became a case, stored split for the readers and the reporter. */
  casesStored: number;
  sessionKeysPerMessage: number;
  stages: StageFigures;
}

export async function runSmtpThroughputBench(
  options: { mails?: number; warmup?: number; concurrency?: number; log?: (line: string) => void } = {},
): Promise<SmtpThroughputResult> {
  const mails = options.mails ?? envInt('BENCH_SMTP_MAILS', 2000);
  const warmup = options.warmup ?? envInt('BENCH_SMTP_WARMUP', 200);
  const concurrency = options.concurrency ?? envInt('BENCH_SMTP_CONCURRENCY', 16);
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-smtp-bench-'));
  await fs.chmod(dir, 0o711); // as root, PostgreSQL runs as "postgres" and must traverse it
  let cluster: EmbeddedCluster | null = null;
  let handle: DatabaseHandle | null = null;
  const children: ServerProcess[] = [];
  try {
    log('SMTP bench: starting PostgreSQL, five SRT members, the intake and the discarding server…');
    cluster = await startEmbeddedPostgres(dir);
    handle = await openDatabase({ databaseUrl: cluster.url, dataDir: dir });
    const index = await fixtureIndex();
    for (const name of READERS) {
      const key = index[name]!;
      await addMember(handle.db, {
        name,
        email: key.email,
        role: 'srt',
        armoredKey: await fs.readFile(path.join(KEYS_DIR, key.pub), 'utf8'),
      });
    }
    const start = { databaseUrl: cluster.url, dataDir: dir };
    const [ours, discard] = await Promise.all([
      startServerProcess('smtp-intake-server.ts', start, 60_000),
      startServerProcess('smtp-discard-server.ts', start),
    ]);
    children.push(ours, discard);

    const intakeKey = await readKey({
      armoredKey: (await handle.db.selectFrom('intake_keys').select('public_key').executeTakeFirstOrThrow()).public_key,
      config: messageConfig,
    });
    log(`  making ${Math.min(200, mails)} distinct 10 KB PGP/MIME mails to the intake key…`);
    const pool = await makeMails(intakeKey as PublicKey, Math.min(200, mails));
    const clusterDir = path.join(dir, 'postgres');

    const measure = async (name: string, server: ServerProcess): Promise<SmtpPhase> => {
      const port = Number(new URL(server.url).port);
      log(`  ${name}: ${warmup} warm-up mails, then ${mails} at concurrency ${concurrency}…`);
      await sendAll(port, pool, warmup, concurrency);
      const writesBefore = await writeSnapshot(cluster!.url);
      const before = cpuSnapshot(server.pid, clusterDir);
      const result = await sendAll(port, pool, mails, concurrency);
      const cpu = cpuPerRequest(before, cpuSnapshot(server.pid, clusterDir), mails);
      return { ...result, cpu, writes: describeWrites(writesBefore, await writeSnapshot(cluster!.url), mails) };
    };
    const discardPhase = await measure('accept-and-discard smtp-server', discard);
    const oursPhase = await measure('our intake', ours);

    const casesStored = Number(
      (
        await handle.db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const sample = await handle.db
      .selectFrom('messages')
      .innerJoin('session_keys', 'session_keys.message_id', 'messages.id')
      .select(['messages.id', 'messages.body', 'session_keys.packet', 'session_keys.recipient_fingerprint'])
      .where('messages.role', '=', 'report')
      .orderBy('messages.created_at', 'desc')
      .limit(12)
      .execute();
    const newest = sample.filter((r) => r.id === sample[0]!.id);
    const alice = newest.find((r) => r.recipient_fingerprint === index.alice!.fingerprint)!;
    const decrypted = await decryptSplit({
      sessionKeyPacket: alice.packet,
      body: alice.body,
      decryptionKey: await readPrivateKey({
        armoredKey: await fs.readFile(path.join(KEYS_DIR, 'alice.sec.asc'), 'utf8'),
        config: messageConfig,
      }),
    });
    if (!String(decrypted.data).includes('Bench report'))
      throw new Error('a stored report did not decrypt to its mail');
    // After the throughput phases, so that they do not share the machine with it.
    const stageMails = envInt('BENCH_SMTP_STAGES', 100);
    log(`  where the time goes: ${stageMails} mails through the stages one at a time, in this process…`);
    const intakeKeys = await Promise.all(
      (await intakeKeysForDecryption(handle.db, new Date())).map((k) =>
        unlockIntakeKey(k.lockedPrivateKey, BENCH_PASSPHRASE),
      ),
    );
    const stages = await measureMailStages(handle.db, pool, intakeKeys, stageMails);
    return {
      ours: oursPhase,
      discard: discardPhase,
      mailBytes: pool[0]!.length,
      readers: READERS.length,
      concurrency,
      casesStored,
      sessionKeysPerMessage: newest.length,
      stages,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await handle?.close().catch(() => undefined);
    await cluster?.stop().catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function printSmtpThroughput(r: SmtpThroughputResult): void {
  const cpu = (x: number | undefined) => (x === undefined ? 'n/a' : ms(x));
  const row = (name: string, p: SmtpPhase) => [
    name,
    p.perSecond.toFixed(0),
    ms(p.latency.p50),
    ms(p.latency.p99),
    cpu(p.cpu?.server),
    cpu(p.cpu?.postgres),
    cpu(p.cpu?.loadGenerator),
  ];
  console.log(
    `\nSMTP intake: ${(r.mailBytes / 1024).toFixed(1)} KB PGP/MIME mails, decrypted, re-encrypted to ${r.readers} readers + the reporter key, committed; ${r.concurrency} connections\n`,
  );
  console.log(
    table(
      ['server', 'mails/s', 'p50', 'p99', 'CPU server', 'CPU postgres', 'CPU client'],
      [row('accept and discard (smtp-server)', r.discard), row('our intake', r.ours)],
    ),
  );
  console.log(
    `\n   stored ${r.casesStored} cases, ${r.sessionKeysPerMessage} session-key packets per message; ours / discard = ${((r.ours.perSecond / r.discard.perSecond) * 100).toFixed(0)}%`,
  );
  console.log(`   PostgreSQL per mail: ${r.ours.writes}`);
  console.log(
    `   our intake: ${r.ours.perSecond.toFixed(0)} mails/s (target ≥ ${SMTP_TARGET_PER_SECOND}, ${os.cpus().length} cores)  ${verdict(r.ours.perSecond >= SMTP_TARGET_PER_SECOND)}`,
  );
  printMailStages(r.stages);
}

/** Distinct PGP/MIME messages of about 10 KB, each encrypted to the intake key as a reporter's mail program would. */
export async function makeMails(intakeKey: PublicKey, count: number): Promise<Buffer[]> {
  const mails: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    // ~7 KB of text: with armor and MIME the mail on the wire is about 10 KB.
    const text = `Bench report ${i}\n${crypto.randomBytes(3500).toString('hex').replace(/.{72}/g, '$&\n')}\n`;
    const entity = `Content-Type: text/plain; charset=utf-8\r\nSubject: bench ${i}\r\n\r\n${text.replace(/\n/g, '\r\n')}`;
    const armored = (await encrypt({
      message: await createMessage({ text: entity }),
      encryptionKeys: intakeKey,
      config: messageConfig,
    })) as string;
    const boundary = `b${i}`;
    mails.push(
      Buffer.from(
        [
          `From: finder${i}@example.net`,
          `To: security@${BENCH_MAIL_DOMAIN}`,
          'Subject: ...',
          `Message-ID: <bench-${i}@example.net>`,
          'MIME-Version: 1.0',
          `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${boundary}"`,
          '',
          `--${boundary}`,
          'Content-Type: application/pgp-encrypted',
          '',
          'Version: 1',
          `--${boundary}`,
          'Content-Type: application/octet-stream; name="encrypted.asc"',
          '',
          armored.replace(/\r?\n/g, '\r\n'),
          `--${boundary}--`,
          '',
        ].join('\r\n'),
      ),
    );
  }
  return mails;
}

/** Sends `count` mails from the pool over `concurrency` pooled SMTP connections; every one must get 250. */
async function sendAll(
  port: number,
  pool: Buffer[],
  count: number,
  concurrency: number,
): Promise<Omit<SmtpPhase, 'cpu' | 'writes'>> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    pool: true,
    maxConnections: concurrency,
    maxMessages: Infinity,
    ignoreTLS: true,
  });
  const latencies: number[] = [];
  let next = 0;
  let failure: string | undefined;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const started = process.hrtime.bigint();
      try {
        const info = await transport.sendMail({
          envelope: { from: `finder${i}@example.net`, to: [`security@${BENCH_MAIL_DOMAIN}`] },
          raw: pool[i % pool.length]!,
        });
        if (!info.response.startsWith('250')) failure ??= info.response;
      } catch (error) {
        failure ??= (error as Error).message;
      }
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  transport.close();
  if (failure) throw new Error(`not every mail was accepted: ${failure}`);
  return { mails: count, seconds, perSecond: count / seconds, latency: summarize(latencies) };
}

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

if (require.main === module) {
  runSmtpThroughputBench().then(
    (result) => {
      printSmtpThroughput(result);
      process.exit(0);
    },
    (error: unknown) => {
      console.error('\nThe SMTP bench could not run:', error);
      process.exit(1);
    },
  );
}
