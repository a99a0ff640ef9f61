// What a backup holds, read from the database's own catalog (never a list kept in the code), so that
// every table a later migration adds is backed up without anyone remembering to.
import type pg from 'pg';

/** One table whose rows a backup carries: a leaf table (partitioned parents hold no rows of their own). */
export interface BackupTable {
  schema: string;
  name: string;
  /** Stored columns in attribute order; generated columns are computed again on restore. */
  columns: string[];
}

export interface BackupSequence {
  schema: string;
  name: string;
  lastValue: string;
  isCalled: boolean;
}

/** Schemas that belong to PostgreSQL itself; every other schema is the installation's (public, pgboss, …). */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/** The installation's tables with rows, parents before the tables whose foreign keys name them. */
export async function listBackupTables(client: pg.ClientBase): Promise<BackupTable[]> {
  const tables = await client.query<{ oid: number; schema: string; name: string; columns: string[] }>(`
    SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name,
           array_agg(a.attname::text ORDER BY a.attnum) AS columns
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
     WHERE c.relkind = 'r' AND c.relpersistence IN ('p', 'u') AND ${SYSTEM_SCHEMAS}
     GROUP BY c.oid, n.nspname, c.relname
     ORDER BY n.nspname, c.relname`);
  // A foreign key to a partitioned table waits for each of its partitions, where its rows live.
  const references = await client.query<{ child: number; parent: number }>(`
    SELECT conrelid::int AS child, confrelid::int AS parent FROM pg_constraint WHERE contype = 'f'
    UNION
    SELECT f.conrelid::int, t.relid::int FROM pg_constraint f, pg_partition_tree(f.confrelid) t
     WHERE f.contype = 'f' AND t.isleaf`);
  return parentsFirst(tables.rows, references.rows).map(({ schema, name, columns }) => ({ schema, name, columns }));
}

/**
 * A topological order, so that a restore loads each table with its foreign keys checked as it goes
 * (no superuser needed to switch them off). A table naming itself is fine: one COPY checks at its end.
 */
function parentsFirst<T extends { oid: number; schema: string; name: string }>(
  tables: T[],
  references: { child: number; parent: number }[],
): T[] {
  const byOid = new Map(tables.map((table) => [table.oid, table]));
  const parents = new Map<number, Set<number>>();
  for (const { child, parent } of references) {
    if (!byOid.has(child)) continue;
    const set = parents.get(child) ?? new Set<number>();
    set.add(parent);
    parents.set(child, set);
  }
  const ordered: T[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (table: T, path: string[]): void => {
    if (state.get(table.oid) === 'done') return;
    if (state.get(table.oid) === 'visiting')
      throw new Error(`Foreign keys form a cycle (${[...path, table.name].join(' → ')}): no table order loads them`);
    state.set(table.oid, 'visiting');
    for (const parent of parents.get(table.oid) ?? []) {
      const parentTable = parent === table.oid ? undefined : byOid.get(parent);
      if (parentTable) visit(parentTable, [...path, table.name]);
    }
    state.set(table.oid, 'done');
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

/** Every sequence's position, so that a restored installation never hands out an id twice. */
export async function listBackupSequences(client: pg.ClientBase): Promise<BackupSequence[]> {
  const result = await client.query<{ schema: string; name: string; last_value: string | null; is_called: boolean }>(`
    SELECT s.schemaname AS schema, s.sequencename AS name, s.last_value::text AS last_value, s.last_value IS NOT NULL AS is_called
      FROM pg_sequences s
      JOIN pg_namespace n ON n.nspname = s.schemaname
     WHERE ${SYSTEM_SCHEMAS}
     ORDER BY s.schemaname, s.sequencename`);
  return result.rows.map((row) => ({
    schema: row.schema,
    name: row.name,
    lastValue: row.last_value ?? '1',
    isCalled: row.is_called,
  }));
}

/** The kysely migrations applied, oldest first (none when the table does not exist). */
export async function appliedMigrations(client: pg.ClientBase): Promise<string[]> {
  const exists = await client.query(`SELECT to_regclass('public.kysely_migration') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return [];
  const result = await client.query<{ name: string }>('SELECT name FROM public.kysely_migration ORDER BY name');
  return result.rows.map((row) => row.name);
}

/** pg-boss's schema version in the "pgboss" schema, or null when pg-boss never ran here. */
export async function pgbossSchemaVersion(client: pg.ClientBase): Promise<number | null> {
  const exists = await client.query(`SELECT to_regclass('pgboss.version') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return null;
  const result = await client.query<{ version: number }>('SELECT version FROM pgboss.version');
  return result.rows[0] ? Number(result.rows[0].version) : null;
}

export async function postgresVersion(client: pg.ClientBase): Promise<string> {
  const result = await client.query<{ version: string }>("SELECT current_setting('server_version') AS version");
  return result.rows[0]!.version;
}

/** The installation's tables and how many there are: a restore target must have none. */
export async function existingTables(client: pg.ClientBase): Promise<string[]> {
  const result = await client.query<{ name: string }>(`
    SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND ${SYSTEM_SCHEMAS} ORDER BY 1`);
  return result.rows.map((row) => row.name);
}
