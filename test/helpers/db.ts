// One database per test file, cloned from the template that global-setup.ts migrated.
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createKysely } from '../../db/connect';
import type { Database } from '../../db/database';

/** The migrated database every test file clones (CREATE DATABASE ... TEMPLATE). */
export const TEMPLATE_DATABASE = 'intake_template';

/** Names the environment variable holding the cluster's URL without a database: postgres://user:password@host:port */
export const TEST_PG_URL_ENV = 'INTAKE_TEST_PG_URL';

export interface TestDatabase {
  db: Kysely<Database>;
  /** Connection URL of this file's own database (for a CLI subprocess's DATABASE_URL). */
  url: string;
  /** Closes the pool and drops the database. */
  destroy(): Promise<void>;
}

/** Clones the migrated template into a database of its own, with a unique name. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env[TEST_PG_URL_ENV];
  if (!server)
    throw new Error(`${TEST_PG_URL_ENV} is not set: run the tests through jest, whose global setup starts PostgreSQL.`);
  const name = `intake_test_${crypto.randomBytes(6).toString('hex')}`;
  await adminQuery(server, `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  const url = `${server}/${name}`;
  const db = createKysely(url, 4);
  return {
    db,
    url,
    destroy: async () => {
      await db.destroy();
      await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Row counts of the tables a submission writes, to prove that a refused one stored nothing. */
export async function countCaseRows(db: Kysely<Database>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['cases', 'case_readers', 'messages', 'session_keys'] as const) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/**
 * A new window for every client of every rate limiter. The counts live in the database, shared by
 * every server on it: a test that starts a server with a lower limit begins from none.
 */
export async function forgetRateLimits(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('rate_limit_counts').execute();
}

/** The URL of the server itself, from a URL that names a database. */
export function serverUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '';
  return url.toString().replace(/\/$/, '');
}

async function adminQuery(server: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${server}/postgres` });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
