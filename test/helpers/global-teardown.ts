// Stops the embedded PostgreSQL that global-setup.ts started and removes its folder.
import fs from 'node:fs/promises';
import pg from 'pg';
import { serverUrl } from './db';
import type { TestRun } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { intakeTestRun?: TestRun };
  const run = holder.intakeTestRun;
  if (!run) return;
  delete holder.intakeTestRun;
  try {
    // A test that forgot to close its pool must not keep the cluster alive (stop() spares a shared cluster).
    await terminateOtherConnections(serverUrl(run.cluster.url));
    await run.cluster.stop();
  } finally {
    await fs.rm(run.root, { recursive: true, force: true });
  }
}

async function terminateOtherConnections(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${url}/postgres` });
  await admin.connect();
  try {
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
    );
  } finally {
    await admin.end();
  }
}
