// `intake restore`: a backup into an empty installation, all in one transaction that commits only
// once every table's rows have matched their checksums and the schema is back at this code's level.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { migrations } from '../../db/migrations';
import { openRestoreTarget, PgbossVersionMismatchError, RestoreTargetNotEmptyError } from '../../db/restore-target';
import { badInput, conflict, DomainError } from '../errors';
import { BackupReader, type BackupHeader, type BackupTrailer } from './backup-format';

export interface RestoreResult {
  header: BackupHeader;
  trailer: BackupTrailer;
  /** Migrations run after the data was in: the backup came from an older version. */
  migratedUp: string[];
}

/** Restores `file` into the (empty) database at `url`. */
export async function restoreBackup(url: string, file: string): Promise<RestoreResult> {
  return withBackupFile(file, async (reader) => {
    const header = await reader.header();
    const migratedUp = checkMigrations(header.migrations);
    const target = await openRestoreTarget(url).catch((error: unknown) => {
      if (error instanceof RestoreTargetNotEmptyError)
        throw conflict(
          `Restore needs an empty installation, and this one already holds ${error.tables.length} tables ` +
            `(${error.tables.slice(0, 3).join(', ')}, …). Restore into a new DATA_DIR, or into a new, empty database ` +
            'at DATABASE_URL; nothing was changed.',
        );
      throw error;
    });
    try {
      await target
        .buildSchema({ migration: header.migrations.at(-1) ?? null, pgbossSchemaVersion: header.pgbossSchemaVersion })
        .catch((error: unknown) => {
          if (error instanceof PgbossVersionMismatchError)
            throw badInput(`${error.message} Restore it with intake ${header.app.version}, then upgrade.`);
          throw error;
        });
      const trailer = await loadTables(reader, header, (table, feed) => target.load(table, feed));
      await target.finish(header.sequences);
      await target.commit();
      return { header, trailer, migratedUp };
    } finally {
      await target.close();
    }
  });
}

/** Reads `file` through and checks every checksum, without a database: what `restore --check` does. */
export async function checkBackupFile(file: string): Promise<{ header: BackupHeader; trailer: BackupTrailer }> {
  return withBackupFile(file, async (reader) => {
    const header = await reader.header();
    // Nothing loads the rows: reading them through checks their counts and hashes.
    const trailer = await loadTables(reader, header, async (_table, feed) => {
      await feed(async () => undefined);
      return null;
    });
    return { header, trailer };
  });
}

type TableLoader = (
  table: BackupHeader['tables'][number],
  feed: (write: (chunk: Buffer) => Promise<void>) => Promise<void>,
) => Promise<number | null>;

async function loadTables(reader: BackupReader, header: BackupHeader, load: TableLoader): Promise<BackupTrailer> {
  const expected = new Map(header.tables.map((table) => [`${table.schema}.${table.name}`, table]));
  for (;;) {
    const section = await reader.next();
    if (section.kind === 'done') {
      if (expected.size > 0)
        throw badInput(`The backup is damaged: it lacks the rows of ${[...expected.keys()].join(', ')}.`);
      return section.trailer;
    }
    const key = `${section.schema}.${section.name}`;
    const table = expected.get(key);
    if (!table) throw badInput(`The backup is damaged: it holds rows for ${key}, which its header does not list.`);
    expected.delete(key);
    let summaryRows = -1;
    const loaded = await load(table, async (write) => {
      summaryRows = (await reader.tableData(table, write)).rows;
    }).catch((error: unknown) => {
      if (error instanceof DomainError) throw error;
      throw new Error(`Loading ${key} failed: ${(error as Error).message}`, { cause: error });
    });
    if (loaded !== null && loaded !== summaryRows)
      throw badInput(`The backup is damaged: ${key} has ${summaryRows} rows, and PostgreSQL read ${loaded}.`);
  }
}

/**
 * The backup's migrations must be the first of ours, in order: then the data loads into the schema
 * it came from, and the rest run on it. One we do not know means a newer version wrote it.
 */
function checkMigrations(applied: string[]): string[] {
  const known = Object.keys(migrations).sort();
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw badInput(
      `This backup was made by a newer version of intake: its schema has migration ${unknown[0]}, which this ` +
        'version does not know. Restore it with that version (or a later one).',
    );
  if (applied.some((name, i) => known[i] !== name))
    throw badInput(
      "This backup's migrations are not a beginning of this version's list, so it cannot be restored here.",
    );
  return known.slice(applied.length);
}

async function withBackupFile<T>(file: string, run: (reader: BackupReader) => Promise<T>): Promise<T> {
  const input = createReadStream(file);
  const gunzip = zlib.createGunzip();
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  await opened.catch((error: NodeJS.ErrnoException) => {
    throw badInput(`Cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  input.on('error', (error) => gunzip.destroy(error));
  const stream: Readable = input.pipe(gunzip);
  try {
    return await run(new BackupReader(stream));
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}
