// The reading side of a backup: one repeatable-read, read-only transaction, so that every table is
// read at the same instant (no message without its case, whatever arrives meanwhile), and each table
// streamed out with COPY, so that no table is ever held in memory whole.
import type { Readable } from 'node:stream';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import {
  appliedMigrations,
  listBackupSequences,
  listBackupTables,
  pgbossSchemaVersion,
  postgresVersion,
  type BackupSequence,
  type BackupTable,
} from './backup-catalog.queries';

export interface SnapshotContents {
  postgresVersion: string;
  migrations: string[];
  pgbossSchemaVersion: number | null;
  tables: BackupTable[];
  sequences: BackupSequence[];
}

export interface DatabaseSnapshot {
  readonly contents: SnapshotContents;
  /** The table's rows in COPY text format, as of the snapshot. Read one table at a time. */
  copyOut(table: BackupTable): Readable & { rowCount?: number };
  close(): Promise<void>;
}

/**
 * Opens the snapshot on its own connection. The first statement fixes it, so the sequences read with
 * the catalog are at least as far as any row the snapshot holds. `url` carries a password: never log it.
 */
export async function openSnapshot(url: string): Promise<DatabaseSnapshot> {
  const client = new pg.Client({ connectionString: url, application_name: 'intake-backup' });
  // A broken connection fails the query in flight, which reports it; the event must not end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const contents: SnapshotContents = {
      sequences: await listBackupSequences(client),
      postgresVersion: await postgresVersion(client),
      migrations: await appliedMigrations(client),
      pgbossSchemaVersion: await pgbossSchemaVersion(client),
      tables: await listBackupTables(client),
    };
    // As pg_dump does: no table can be altered or dropped between reading the catalog and copying it.
    if (contents.tables.length > 0)
      await client.query(`LOCK TABLE ${contents.tables.map(qualifiedName).join(', ')} IN ACCESS SHARE MODE`);
    return {
      contents,
      copyOut: (table) => client.query(copyTo(`COPY ${qualifiedColumns(table)} TO STDOUT`)),
      close: async () => {
        await client.query('COMMIT').catch(() => undefined);
        await client.end();
      },
    };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/** `"schema"."table" ("a", "b")`, quoted from the catalog's own names. */
export function qualifiedColumns(table: BackupTable): string {
  return `${qualifiedName(table)} (${table.columns.map((column) => pg.escapeIdentifier(column)).join(', ')})`;
}

export function qualifiedName(table: { schema: string; name: string }): string {
  return `${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(table.name)}`;
}
