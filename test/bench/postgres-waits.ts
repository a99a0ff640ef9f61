// What PostgreSQL sessions wait on during a load phase, sampled from pg_stat_activity: shows when
// submissions queue behind a lock (e.g. an advisory lock serializing them) rather than burn CPU.
import pg from 'pg';

export interface WaitProfile {
  samples: number;
  /** Average number of busy client sessions per state, e.g. "running", "Lock/advisory", "IO/WalSync". */
  average: Map<string, number>;
}

/** Samples every `intervalMs` until stopped; `stop()` resolves with the averages. */
export function sampleWaits(databaseUrl: string, intervalMs = 20): { stop(): Promise<WaitProfile> } {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  const totals = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ state: string; n: number }>(
        `SELECT CASE WHEN state LIKE 'idle in transaction%' THEN 'in transaction, awaiting the app'
                     WHEN wait_event IS NULL THEN 'running'
                     ELSE wait_event_type || '/' || wait_event END AS state,
                count(*)::int AS n
           FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database() AND state <> 'idle'
          GROUP BY 1`,
      );
      samples++;
      for (const { state, n } of rows) totals.set(state, (totals.get(state) ?? 0) + n);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop.catch(() => undefined);
      await client.end().catch(() => undefined);
      const average = new Map(
        [...totals]
          .map(([state, n]) => [state, n / Math.max(samples, 1)] as [string, number])
          .sort((a, b) => b[1] - a[1]),
      );
      return { samples, average };
    },
  };
}

/** "Lock/advisory 7.9, running 1.1, …" (states averaging under 0.05 sessions left out). */
export function describeWaits(profile: WaitProfile): string {
  const parts = [...profile.average].filter(([, n]) => n >= 0.05).map(([state, n]) => `${state} ${n.toFixed(1)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}
