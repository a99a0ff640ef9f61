// The writing side of a restore: one connection, one transaction for everything (the schema, every
// table's rows, the sequences, the migrations after the backup's level), so that a restore that
// fails anywhere, a checksum included, leaves the installation as empty as it found it.
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { existingTables, pgbossSchemaVersion, type BackupSequence, type BackupTable } from './backup-catalog.queries';
import { qualifiedColumns, qualifiedName } from './backup-snapshot';
import { migrations } from './migrations';
import { installPgbossSchema, isPgbossQueueTable, loadPgbossQueues } from './restore-pgboss';
import { InsertTriggers } from './restore-triggers';

/** The target holds tables already: restoring would mix two installations. */
export class RestoreTargetNotEmptyError extends Error {
  constructor(readonly tables: string[]) {
    super(`The target database is not empty: it holds ${tables.length} tables (${tables.slice(0, 5).join(', ')}).`);
    this.name = 'RestoreTargetNotEmptyError';
  }
}

/** The backup's pg-boss schema is not the one this code installs. */
export class PgbossVersionMismatchError extends Error {
  constructor(
    readonly backup: number,
    readonly installed: number | null,
  ) {
    super(`The backup's pg-boss schema is version ${backup}; this version of intake installs ${installed}.`);
    this.name = 'PgbossVersionMismatchError';
  }
}

export interface RestoreTarget {
  /** Runs our migrations up to `migration` (the backup's last) and installs pg-boss's schema when the backup has it. */
  buildSchema(options: { migration: string | null; pgbossSchemaVersion: number | null }): Promise<void>;
  /** Loads one table from its COPY text rows; `feed` writes them. Returns the rows PostgreSQL took. */
  load(table: BackupTable, feed: (write: (chunk: Buffer) => Promise<void>) => Promise<void>): Promise<number>;
  /** Sequences set, triggers back as they were, then the migrations newer than the backup. */
  finish(sequences: BackupSequence[]): Promise<void>;
  commit(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the target and begins; refuses (RestoreTargetNotEmptyError) a database that has any table. */
export async function openRestoreTarget(url: string): Promise<RestoreTarget> {
  const client = new pg.Client({ connectionString: url, application_name: 'intake-restore' });
  // A broken connection fails the query in flight, which reports it; the event must not end the process.
  client.on('error', () => undefined);
  await client.connect();
  let open = false;
  try {
    await client.query('BEGIN');
    open = true;
    const tables = await existingTables(client);
    if (tables.length > 0) throw new RestoreTargetNotEmptyError(tables);
  } catch (error) {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
    throw error;
  }
  const db = singleConnectionKysely(client);
  const triggers = new InsertTriggers(client);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, disableTransactions: true });
  let committed = false;

  return {
    buildSchema: async ({ migration, pgbossSchemaVersion: backupPgboss }) => {
      if (migration !== null) await migrated(migrator.migrateTo(migration));
      if (backupPgboss !== null) {
        await installPgbossSchema(client);
        const installed = await pgbossSchemaVersion(client);
        if (installed !== backupPgboss) throw new PgbossVersionMismatchError(backupPgboss, installed);
      }
    },
    load: async (table, feed) => {
      if (isPgbossQueueTable(table)) return loadPgbossQueues(client, table, (sql) => copyIn(client, sql, feed));
      await triggers.disableOn(table);
      // Rows a migration or pg-boss wrote while building the schema (the migration list, pg-boss's
      // version) give way to the backed-up ones, so that the restore holds exactly what was backed up.
      await client.query(`DELETE FROM ${qualifiedName(table)}`);
      return copyIn(client, `COPY ${qualifiedColumns(table)} FROM STDIN`, feed);
    },
    finish: async (sequences) => {
      await triggers.restore();
      for (const sequence of sequences) {
        if (!sequence.isCalled) continue;
        await client.query('SELECT setval($1::regclass, $2::bigint, true)', [
          qualifiedName(sequence),
          sequence.lastValue,
        ]);
      }
      await migrated(migrator.migrateToLatest());
    },
    commit: async () => {
      await client.query('COMMIT');
      committed = true;
    },
    close: async () => {
      if (!committed) await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

/** COPY … FROM STDIN on the client, fed with backpressure; resolves with the rows PostgreSQL counted. */
async function copyIn(
  client: pg.Client,
  statement: string,
  feed: (write: (chunk: Buffer) => Promise<void>) => Promise<void>,
): Promise<number> {
  const stream = client.query(copyFrom(statement));
  let failure: Error | null = null;
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', (error: Error) => {
      failure = error;
      reject(error);
    });
  });
  finished.catch(() => undefined);
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      if (stream.write(chunk)) return resolve();
      stream.once('drain', resolve);
      finished.catch(reject);
    });
  try {
    await feed(write);
  } catch (error) {
    // Ends the COPY with an error so that the connection stays usable for the ROLLBACK.
    stream.destroy(error as Error);
    await finished.catch(() => undefined);
    throw error;
  }
  stream.end();
  await finished;
  return stream.rowCount;
}

async function migrated(result: Promise<{ error?: unknown; results?: { status: string; migrationName: string }[] }>) {
  const { error, results } = await result;
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '';
    throw new Error(`Database migration ${failed} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
}

/** A kysely instance on this one client, inside its transaction (kysely's Migrator cannot take a Transaction). */
function singleConnectionKysely(client: pg.Client): Kysely<any> {
  const pool = {
    connect: async () => Object.assign(client, { release: () => undefined }),
    end: async () => undefined,
  };
  return new Kysely<any>({ dialect: new PostgresDialect({ pool: pool as never }) });
}
