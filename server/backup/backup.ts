// `intake backup`: the whole database as of one instant, streamed table by table into a gzip'd
// file that is only given its name once it is complete and on disk.
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { openSnapshot } from '../../db/backup-snapshot';
import { notConfigured } from '../errors';
import { BackupWriter, FORMAT_VERSION, type BackupHeader, type BackupTrailer } from './backup-format';
import { APP } from './app-version';

export interface BackupResult {
  file: string;
  header: BackupHeader;
  trailer: BackupTrailer;
  bytes: number;
}

/** Ciphertext is most of a backup and compresses little past its hex form: favour speed. */
const GZIP_LEVEL = 1;

/** Writes a backup of the database at `url` to `file` (mode 0600), via `file.tmp` and a rename. */
export async function createBackup(
  url: string,
  file: string,
  now: () => Date = () => new Date(),
): Promise<BackupResult> {
  const snapshot = await openSnapshot(url);
  const temporary = `${file}.tmp`;
  try {
    const { contents } = snapshot;
    if (contents.tables.length === 0)
      throw notConfigured('There is nothing to back up: the database has no tables yet (start the server once first).');
    const header: BackupHeader = {
      format: FORMAT_VERSION,
      app: APP,
      createdAt: now().toISOString(),
      postgresVersion: contents.postgresVersion,
      migrations: contents.migrations,
      pgbossSchemaVersion: contents.pgbossSchemaVersion,
      tables: contents.tables,
      sequences: contents.sequences,
    };
    // A leftover from an interrupted run may have another mode; the new file is created 0600.
    await fs.rm(temporary, { force: true });
    const gzip = zlib.createGzip({ level: GZIP_LEVEL });
    const written = pipeline(gzip, createWriteStream(temporary, { mode: 0o600, flags: 'wx' }));
    written.catch(() => undefined);
    const writer = new BackupWriter(gzip);
    let trailer: BackupTrailer;
    try {
      await writer.start(header);
      for (const table of contents.tables) await writer.table(table, snapshot.copyOut(table));
      trailer = await writer.finish();
      gzip.end();
    } catch (error) {
      gzip.destroy(error as Error);
      throw error;
    }
    await written;
    await syncAndRename(temporary, file);
    const { size } = await fs.stat(file);
    return { file, header, trailer, bytes: size };
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  } finally {
    await snapshot.close();
  }
}

/** The file's bytes on disk before it takes the name, and the name on disk too. */
async function syncAndRename(temporary: string, file: string): Promise<void> {
  const handle = await fs.open(temporary, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, file);
  const directory = await fs.open(path.dirname(path.resolve(file)), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
