// What the backup tests share: an empty database of their own (no schema at all, as a new
// installation has), and every table's rows in both databases, to compare a restore with its source.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import pg from 'pg';
import { listBackupTables } from '../../db/backup-catalog.queries';
import { TEST_PG_URL_ENV } from './db';

export interface EmptyDatabase {
  url: string;
  /** The tables it holds now (schema.name). */
  tables(): Promise<string[]>;
  destroy(): Promise<void>;
}

/**
 * A new database made from template0: no tables, no migrations, no pg-boss. With `ownedByNewRole`,
 * it belongs to a new login role without superuser rights (as on a managed PostgreSQL), and its URL
 * connects as that role.
 */
export async function createEmptyDatabase(options: { ownedByNewRole?: boolean } = {}): Promise<EmptyDatabase> {
  const server = process.env[TEST_PG_URL_ENV];
  if (!server) throw new Error(`${TEST_PG_URL_ENV} is not set: run the tests through jest.`);
  const name = `intake_empty_${crypto.randomBytes(6).toString('hex')}`;
  const role = options.ownedByNewRole ? `${name}_owner` : null;
  const password = crypto.randomBytes(12).toString('hex');
  if (role) await admin(server, `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}'`);
  await admin(server, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'${role ? ` OWNER ${role}` : ''}`);
  const url = role ? `${withCredentials(server, role, password)}/${name}` : `${server}/${name}`;
  return {
    url,
    tables: () =>
      withClient(url, async (client) => {
        const result = await client.query<{ name: string }>(
          `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
        );
        return result.rows.map((row) => row.name);
      }),
    destroy: async () => {
      await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (role) await admin(server, `DROP ROLE IF EXISTS ${role}`);
    },
  };
}

function withCredentials(server: string, user: string, password: string): string {
  const url = new URL(server);
  url.username = user;
  url.password = password;
  return url.toString().replace(/\/$/, '');
}

/** Every table's row count and a digest of all its rows (as text, sorted), keyed schema.table. */
export async function tableContents(url: string): Promise<Map<string, { rows: number; digest: string }>> {
  return withClient(url, async (client) => {
    const contents = new Map<string, { rows: number; digest: string }>();
    for (const table of await listBackupTables(client)) {
      const name = `${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(table.name)}`;
      const result = await client.query<{ rows: number; digest: string }>(
        `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest FROM ${name} t`,
      );
      contents.set(`${table.schema}.${table.name}`, result.rows[0]!);
    }
    return contents;
  });
}

export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Rewrites a backup file's uncompressed text with `edit`, as someone tampering with it would. */
export async function rewriteBackup(from: string, to: string, edit: (text: string) => string): Promise<void> {
  const text = zlib.gunzipSync(await fs.readFile(from)).toString('latin1');
  const edited = edit(text);
  if (edited === text) throw new Error('the edit changed nothing');
  await fs.writeFile(to, zlib.gzipSync(Buffer.from(edited, 'latin1')));
}

async function admin(server: string, statement: string): Promise<void> {
  await withClient(`${server}/postgres`, async (client) => {
    await client.query(statement);
  });
}
