// Looks for secrets where a thief would: a logical dump of the database, and the raw files of the
// PostgreSQL data directory (heap, TOAST, WAL) after a checkpoint.
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../../db/database';

/**
 * Every row of every table of the database as text, the data a `pg_dump` would write. (A real
 * pg_dump cannot be used here: the embedded PostgreSQL ships none, and Debian's is older than the
 * server, which pg_dump refuses.) bytea columns come out as hex, as they do in a dump.
 */
export async function dumpDatabaseText(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      "SELECT schemaname AS schema, tablename AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
    );
    const parts: string[] = [];
    for (const { schema, name } of tables.rows) {
      const table = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
      parts.push(`-- ${table}`, ...rows.rows.map((r) => r.row));
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** The needles found in a dump, as UTF-8 text or as the hex a bytea column shows. */
export function foundInDump(dump: string, needles: readonly string[]): string[] {
  const lower = dump.toLowerCase();
  return needles.filter((n) => dump.includes(n) || lower.includes(Buffer.from(n, 'utf8').toString('hex')));
}

/** Flushes every dirty page to the data files, then names the data directory (superuser only). */
export async function checkpointAndFindDataDirectory(db: Kysely<Database>): Promise<string> {
  await sql`CHECKPOINT`.execute(db);
  const { rows } = await sql<{ data_directory: string }>`SHOW data_directory`.execute(db);
  const dir = rows[0]?.data_directory;
  if (!dir) throw new Error('SHOW data_directory returned nothing');
  return dir;
}

export interface FileHit {
  file: string;
  needle: string;
}

/**
 * Every file under `dir` that holds one of the needles' UTF-8 bytes. Values above ~2 kB may be
 * compressed in TOAST, where a grep cannot see them; the dump above covers those.
 */
export async function filesContaining(
  dir: string,
  needles: readonly string[],
): Promise<{ hits: FileHit[]; filesRead: number }> {
  const patterns = needles.map((needle) => ({ needle, bytes: Buffer.from(needle, 'utf8') }));
  const hits: FileHit[] = [];
  let filesRead = 0;
  for (const file of await listFiles(dir)) {
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another test file dropped its database
      throw error;
    }
    filesRead += 1;
    for (const { needle, bytes } of patterns) if (data.includes(bytes)) hits.push({ file, needle });
  }
  return { hits, filesRead };
}

async function listFiles(dir: string): Promise<string[]> {
  // Other test files create and drop databases meanwhile: a folder may vanish during the walk.
  for (let attempt = 1; ; attempt += 1) {
    try {
      const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
      return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
    }
  }
}
