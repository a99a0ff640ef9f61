// `npm run bench`, one section each:
//   A submission throughput of the JavaScript path against a bare express+PostgreSQL baseline;
//   B server-side encryption for the no-JavaScript path against `gpg --encrypt`;
//   C the dashboard's case list at 1,000,000 cases;  D SMTP intake throughput against a discarding server;
//   E /healthz while receipts are checked on the no-JavaScript follow-up path;
//   F a member's queued-mail counter while notifications about cases hidden from the member pile up;
//   G the bytes each public page transfers before it is usable;
//   H the server's peak memory under concurrent maximum-size submissions;
//   I a reader's browser granting a case of 1,000 messages to one new reader (headless Chromium);
//   J a rate-limit hit counted in PostgreSQL (shared by all instances) against the in-memory store.
// A report, not a test: it exits 0 whether or not the targets are met (1 only if it could not run).
// Sizes: BENCH_REQUESTS, BENCH_WARMUP, BENCH_CONCURRENCY, BENCH_ROUNDS, BENCH_RUNS, BENCH_CASES, BENCH_LIST_RUNS,
// BENCH_FOLLOWUP_ROUNDS, BENCH_MAIL_RUNS, BENCH_UPLOADS (clients in H), BENCH_GRANT_MESSAGES (I); BENCH_SECTIONS picks parts (e.g. "EH"; default all).
// BENCH_LIST_PLANS=1 prints the plans of the case list's queries.
// BENCH_CPU_PROF=1 (and BENCH_CPU_PROF_DIR) writes a V8 CPU profile of each server child.
import os from 'node:os';
import { startBenchDatabase, type BenchDatabase } from './bench-database';
import { CASE_LIST_TARGET_CASES, printCaseListReport, runCaseListBench } from './case-list-bench';
import { printFollowupStall, runFollowupStallBench } from './followup-stall-bench';
import { printGrantReport, runGrantBench } from './grant-bench';
import { printMailCounterReport, runMailCounterBench } from './mail-counter-bench';
import { printPageWeights, runPageWeightBench } from './page-weight-bench';
import { printSmtpThroughput, runSmtpThroughputBench } from './smtp-throughput';
import { printProfiles, printReport } from './submission-report';
import { runEncryptionBench } from './encryption-bench';
import { startServerProcess, type ServerProcess } from './server-process';
import { runSubmissionBench } from './submission-bench';
import { buildSubmission, fetchRecipientKeys, reportText } from './submission-payload';
import { printUploadMemory, runUploadMemoryBench, type UploadMemoryResult } from './upload-memory-bench';
import { loadConfig } from '../../server/config';
import { printSharedLimits, runSharedLimitsBench } from './shared-limits-bench';

const REQUESTS = envInt('BENCH_REQUESTS', 2000);
const WARMUP = envInt('BENCH_WARMUP', 200);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 16);
const ROUNDS = envInt('BENCH_ROUNDS', 2);
const ENCRYPT_RUNS = envInt('BENCH_RUNS', 50);
const CASES = envInt('BENCH_CASES', CASE_LIST_TARGET_CASES);
const LIST_RUNS = envInt('BENCH_LIST_RUNS', 30);
const FOLLOWUP_ROUNDS = Math.min(envInt('BENCH_FOLLOWUP_ROUNDS', 8), 14);
const MAIL_RUNS = envInt('BENCH_MAIL_RUNS', 200);
const UPLOAD_CLIENTS = envInt('BENCH_UPLOADS', 20);
const GRANT_MESSAGES = envInt('BENCH_GRANT_MESSAGES', 1000);
const SECTIONS = process.env.BENCH_SECTIONS?.toUpperCase() ?? 'ABCDEFGHIJ';
const RECIPIENT_COUNTS = [1, 5, 20];

let database: BenchDatabase | null = null;
const servers: ServerProcess[] = [];

async function main(): Promise<void> {
  const started = Date.now();
  const text = reportText();
  log(
    `${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (others' work skews the figures)`,
  );
  log('Starting the embedded PostgreSQL and adding members…');
  database = await startBenchDatabase();
  const start = { databaseUrl: database.url, dataDir: database.dir };
  if (SECTIONS.includes('A') || SECTIONS.includes('B')) {
    const [ours, baseline] = await Promise.all([
      startServerProcess('app-server.ts', start),
      startServerProcess('baseline-server.ts', start),
    ]);
    servers.push(ours, baseline);

    const submission = await buildSubmission(await fetchRecipientKeys(ours.url), text);
    log(
      `A. ${REQUESTS} submissions each (after ${WARMUP} warm-up) at concurrency ${CONCURRENCY}, in ${ROUNDS} interleaved rounds; ` +
        `body ${(submission.size / 1024).toFixed(1)} KiB, report to ${submission.recipients} keys`,
    );
    const load = await runSubmissionBench({
      servers: { ours, baseline },
      dataDir: database.dir,
      databaseUrl: database.url,
      submission,
      requests: REQUESTS,
      warmup: WARMUP,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      log,
    });
    await stopServers();
    if (process.env.BENCH_CPU_PROF === '1') printProfiles({ ours, baseline }, load.measured, load.ours.requests);

    log(`B. Server-side encryption of a ${(text.length / 1024).toFixed(0)} KiB report, ${ENCRYPT_RUNS} runs each…`);
    const encryption = await runEncryptionBench(text, RECIPIENT_COUNTS, ENCRYPT_RUNS, 5);
    printReport(load.ours, load.baseline, encryption);
  }

  if (SECTIONS.includes('C')) {
    log(
      `C. The case list at ${CASES.toLocaleString('en')} cases (a database of its own in the same cluster), ${LIST_RUNS} runs each…`,
    );
    printCaseListReport(
      await runCaseListBench(database, {
        cases: CASES,
        runs: LIST_RUNS,
        warmup: 3,
        log,
        plans: process.env.BENCH_LIST_PLANS === '1',
      }),
    );
  }

  if (SECTIONS.includes('D')) {
    log('D. SMTP intake: 10 KB PGP/MIME mails decrypted, re-encrypted to five readers and committed…');
    printSmtpThroughput(await runSmtpThroughputBench({ log }));
  }

  if (SECTIONS.includes('E')) {
    log(
      `E. /healthz while ${FOLLOWUP_ROUNDS} wrong and ${FOLLOWUP_ROUNDS} right receipts are checked on POST /followup…`,
    );
    const server = await startServerProcess('app-server.ts', start);
    servers.push(server);
    printFollowupStall(await runFollowupStallBench(server.url, { rounds: FOLLOWUP_ROUNDS }));
    await stopServers();
  }

  if (SECTIONS.includes('F')) {
    log("F. A member's queued-mail counter while notifications about cases hidden from the member pile up…");
    printMailCounterReport(await runMailCounterBench(database, { runs: MAIL_RUNS, log }));
  }

  if (SECTIONS.includes('G')) {
    log('G. The bytes of each public page, as a browser accepting brotli gets them…');
    printPageWeights(await runPageWeightBench(database));
  }

  if (SECTIONS.includes('H')) {
    log(`H. ${UPLOAD_CLIENTS} clients post a maximum-size report each, at once…`);
    printUploadMemory(await runUploadMemory(start));
  }

  if (SECTIONS.includes('I')) {
    log(`I. A reader's browser grants a case of ${GRANT_MESSAGES} messages to one new reader…`);
    printGrantReport(await runGrantBench(database, { messages: GRANT_MESSAGES, log }));
  }
  if (SECTIONS.includes('J')) {
    log(`J. ${MAIL_RUNS} rate-limit hits one at a time, then at concurrency 16 over 1,000 clients…`);
    printSharedLimits(await runSharedLimitsBench(database, { runs: MAIL_RUNS }));
  }
  log(`\nWhole run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Our app with its default limits and budget, behind a "proxy" on the loopback so that each client has its own address. */
async function runUploadMemory(start: { databaseUrl: string; dataDir: string }): Promise<UploadMemoryResult> {
  const env = { TRUST_PROXY: 'loopback' };
  const config = loadConfig({ ...process.env, ...env, DATA_DIR: start.dataDir, DATABASE_URL: start.databaseUrl });
  const server = await startServerProcess('app-server.ts', { ...start, env });
  servers.push(server);
  const result = await runUploadMemoryBench({
    server,
    readerKeys: await fetchRecipientKeys(server.url),
    limits: {
      maxAttachmentBytes: config.maxAttachmentBytes,
      maxAttachments: config.maxAttachments,
      uploadBudgetBytes: config.uploadBudget.totalBytes,
    },
    clients: UPLOAD_CLIENTS,
    retryCapMs: 1000,
    log,
  });
  await stopServers();
  return result;
}

async function stopServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
}

let cleaning: Promise<void> | null = null;
let interrupted = false;

/** Children first (they hold connections), then PostgreSQL and the folder. Once, whoever asks. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await stopServers();
    await database?.dispose();
  })();
  return cleaning;
}

function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function log(message: string): void {
  console.log(message);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: cleaning up…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .then(cleanUp, async (error: unknown) => {
    if (!interrupted) console.error('\nThe benchmark could not run:', error);
    await cleanUp();
    process.exitCode = 1;
  })
  .finally(() => process.exit());
