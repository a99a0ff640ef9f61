// What a load phase made PostgreSQL do, per request: commits, and rows inserted, updated and deleted
// by table, from the cumulative statistics (pg_stat_database, pg_stat_user_tables). Shows where the
// database's share of a request's CPU goes without instrumenting the server.
import pg from 'pg';

export interface WriteSnapshot {
  commits: number;
  tables: Map<string, { inserted: number; updated: number; deleted: number }>;
}

export async function writeSnapshot(databaseUrl: string): Promise<WriteSnapshot> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // A busy backend reports its counts at most once a second, an idle one within 10 s: wait for the phase's last ones.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const db = await client.query<{ commits: string }>(
      'SELECT xact_commit::text AS commits FROM pg_stat_database WHERE datname = current_database()',
    );
    const rows = await client.query<{ name: string; ins: string; upd: string; del: string }>(
      `SELECT schemaname || '.' || relname AS name, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_del::text AS del
         FROM pg_stat_user_tables`,
    );
    return {
      commits: Number(db.rows[0]!.commits),
      tables: new Map(
        rows.rows.map((r) => [
          r.name.replace(/^public\./, ''),
          { inserted: Number(r.ins), updated: Number(r.upd), deleted: Number(r.del) },
        ]),
      ),
    };
  } finally {
    await client.end();
  }
}

/** "per request: 4.0 commits; rows: cases +1, case_readers +5, …" (tables written at least once per 10 requests). */
export function describeWrites(before: WriteSnapshot, after: WriteSnapshot, requests: number): string {
  const per = (n: number) => (n / requests).toFixed(1).replace(/\.0$/, '');
  const parts: string[] = [];
  for (const [name, now] of after.tables) {
    const then = before.tables.get(name) ?? { inserted: 0, updated: 0, deleted: 0 };
    const changes = [
      [now.inserted - then.inserted, '+'],
      [now.updated - then.updated, '~'],
      [now.deleted - then.deleted, '-'],
    ] as const;
    const shown = changes.filter(([n]) => n >= requests / 10).map(([n, sign]) => `${sign}${per(n)}`);
    if (shown.length > 0) parts.push(`${name} ${shown.join(' ')}`);
  }
  // The snapshots' own queries commit too: a few in thousands.
  return `${per(after.commits - before.commits)} commits; rows (+ inserted, ~ updated, - deleted): ${parts.sort().join(', ')}`;
}
