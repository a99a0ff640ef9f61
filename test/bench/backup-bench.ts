// Backup and restore at size: cases with ciphertext-like bodies (random bytes) in an embedded cluster
// of its own, backed up to a file and restored into an empty database. Prints MB/s and the process's
// peak resident memory, which must stay flat whatever the size: the tables are streamed, never held.
// Run: npm run bench:backup [-- MEGABYTES] (default 256).
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../db/connect';
import { startEmbeddedPostgres } from '../../db/embedded';
import { createBackup } from '../../server/backup/backup';
import { restoreBackup } from '../../server/backup/restore';
import { seedCases } from './case-list-seed';

const BODY_BYTES = 256 * 1024;

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 256);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-backup-bench-'));
  await fs.chmod(dir, 0o711);
  const cluster = await startEmbeddedPostgres(path.join(dir, 'data'));
  try {
    const handle = await openDatabase({ databaseUrl: cluster.url, dataDir: dir });
    const bodies = Math.ceil((megabytes * 1024 * 1024) / BODY_BYTES);
    await seedCases(handle.db, bodies);
    const cases = await handle.db.selectFrom('cases').select('id').execute();
    for (const { id } of cases)
      await handle.db
        .insertInto('messages')
        .values({ case_id: id, role: 'report', body: crypto.randomBytes(BODY_BYTES) })
        .execute();
    await handle.close();

    const file = path.join(dir, 'bench.intake-backup.gz');
    const backup = await measured(() => createBackup(cluster.url, file));
    const size = (await fs.stat(file)).size;
    const targetUrl = cluster.url.replace(/\/intake$/, '/intake_restored');
    await admin(cluster.url, 'CREATE DATABASE intake_restored');
    const restore = await measured(() => restoreBackup(targetUrl, file));

    const mb = (cases.length * BODY_BYTES) / 1024 / 1024;
    console.log(
      `backup/restore: ${cases.length} cases, ${mb.toFixed(0)} MB of ciphertext, file ${(size / 1024 / 1024).toFixed(0)} MB`,
    );
    for (const [name, run] of [
      ['backup ', backup],
      ['restore', restore],
    ] as const)
      console.log(
        `  ${name} ${run.seconds.toFixed(1)} s, ${(mb / run.seconds).toFixed(0)} MB/s, peak RSS ${run.peakRssMb.toFixed(0)} MB (${run.startRssMb.toFixed(0)} MB before)`,
      );
  } finally {
    await cluster.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function measured<T>(run: () => Promise<T>): Promise<{ seconds: number; peakRssMb: number; startRssMb: number }> {
  const startRssMb = process.memoryUsage().rss / 1024 / 1024;
  let peak = startRssMb;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 1024 / 1024)), 20);
  const started = process.hrtime.bigint();
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMb: peak, startRssMb };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
