import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database';
import { startEmbeddedPostgres } from './embedded';
import { migrations } from './migrations';
import { preparesMarkedStatements } from './prepared-statements';

// bytea columns come back as Buffer; int8 counts as strings are parsed where they are read.

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  /** The connection URL (for pg-boss and pg_dump); contains a password, never log it. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Connects to `databaseUrl`, or to the embedded PostgreSQL under `dataDir` when it is null
 * (starting it, or attaching to the one already running), and runs the pending migrations.
 * The migrator holds a lock, so several instances may start at once.
 */
export async function openDatabase(options: { databaseUrl: string | null; dataDir: string }): Promise<DatabaseHandle> {
  const embedded = options.databaseUrl === null ? await startEmbeddedPostgres(options.dataDir) : null;
  const url = options.databaseUrl ?? embedded!.url;
  const db = createKysely(url);
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    db,
    url,
    close: async () => {
      await db.destroy();
      await embedded?.stop();
    },
  };
}

export function createKysely(url: string, poolSize = 10): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // A broken idle connection must not crash the process; the next query reports the failure. A
  // connection that breaks while checked out fails its query, and pg then also emits 'error' on the
  // client, which nothing else listens to.
  pool.on('error', () => undefined);
  // Nor one that breaks while checked out: pg emits 'error' on the client as well as failing its
  // query, and kysely listens to neither; the query's own rejection is what reports it.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    preparesMarkedStatements(client);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`, {
      cause: error,
    });
  }
}
