// pg-boss's schema (the pending mail) on restore. Its job table is partitioned by queue, and the
// partition for a queue, with its indexes and constraints, is made by pg-boss's own create_queue;
// so the queues are created that way first and then given their backed-up rows, and the jobs are
// then loaded into the partitions as into any table.
import pg from 'pg';
import PgBoss from 'pg-boss';
import { qualifiedColumns } from './backup-snapshot';
import type { BackupTable } from './backup-catalog.queries';

const SCHEMA = 'pgboss';

export function isPgbossQueueTable(table: { schema: string; name: string }): boolean {
  return table.schema === SCHEMA && table.name === 'queue';
}

/**
 * Installs pg-boss's current schema inside the restore's transaction. Its construction plan is one
 * script wrapped in BEGIN … COMMIT, which here would commit the restore half-way: the wrapper goes.
 */
export async function installPgbossSchema(client: pg.ClientBase): Promise<void> {
  const plan = PgBoss.getConstructionPlans(SCHEMA).trim();
  const body = /^BEGIN;([\s\S]*)COMMIT;$/.exec(plan)?.[1];
  if (body === undefined || /\bCOMMIT\b/.test(body))
    throw new Error(
      "pg-boss's construction plan is no longer one BEGIN … COMMIT script: db/restore-pgboss.ts needs updating",
    );
  await client.query(body);
  // The plan bounds its own lock waits and idleness for a short install; a restore may run for hours.
  await client.query('SET LOCAL lock_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0');
}

/** Creates each backed-up queue with its partition, then replaces the rows create_queue wrote with the backed-up ones. */
export async function loadPgbossQueues(
  client: pg.ClientBase,
  table: BackupTable,
  copyIn: (statement: string) => Promise<number>,
): Promise<number> {
  await client.query(`CREATE TEMP TABLE restore_pgboss_queue (LIKE ${SCHEMA}.queue) ON COMMIT DROP`);
  const rows = await copyIn(
    `COPY ${qualifiedColumns({ ...table, schema: 'pg_temp', name: 'restore_pgboss_queue' })} FROM STDIN`,
  );
  await client.query(`
    SELECT ${SCHEMA}.create_queue(name, json_build_object(
             'policy', policy, 'retryLimit', retry_limit, 'retryDelay', retry_delay, 'retryBackoff', retry_backoff,
             'expireInSeconds', expire_seconds, 'retentionMinutes', retention_minutes))
      FROM restore_pgboss_queue ORDER BY name`);
  const columns = table.columns.map((column) => pg.escapeIdentifier(column)).join(', ');
  await client.query(`DELETE FROM ${SCHEMA}.queue`);
  await client.query(`INSERT INTO ${SCHEMA}.queue (${columns}) SELECT ${columns} FROM restore_pgboss_queue`);
  await client.query('DROP TABLE restore_pgboss_queue');
  return rows;
}
