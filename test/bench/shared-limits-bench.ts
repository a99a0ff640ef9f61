// I. What a rate-limit hit costs now that the limits count in PostgreSQL (issue 13 §1: shared by
// every instance): one hit's latency (one upsert) one at a time, and hits per second at
// concurrency 16 over many clients, beside express-rate-limit's in-memory store (what each
// instance used before, counting for itself alone).
import { MemoryStore } from 'express-rate-limit';
import { sharedLimits } from '../../server/limits/shared-limits';
import type { BenchDatabase } from './bench-database';
import { ms, table, timeEach } from './stats';

export interface SharedLimitFigures {
  store: string;
  p50: number;
  p99: number;
  perSecond: number;
}

export async function runSharedLimitsBench(
  database: BenchDatabase,
  options: { runs: number },
): Promise<SharedLimitFigures[]> {
  const limits = sharedLimits(database.handle.db);
  const memory = new MemoryStore();
  memory.init({ windowMs: 600_000 } as Parameters<MemoryStore['init']>[0]);
  let n = 0;
  const stores: [string, (client: string) => Promise<unknown>][] = [
    ['PostgreSQL (shared)', (client) => limits.hit('bench', client, 600_000)],
    ['memory (one instance)', (client) => memory.increment(client)],
  ];
  const figures: SharedLimitFigures[] = [];
  for (const [store, hit] of stores) {
    const one = await timeEach(() => hit('203.0.113.1'), options.runs, 50);
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = 0; i < options.runs / 4; i++) await hit(`198.51.100.${n++ % 1000}`);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    figures.push({ store, p50: one.p50, p99: one.p99, perSecond: (16 * Math.floor(options.runs / 4)) / seconds });
  }
  memory.shutdown();
  await database.handle.db.deleteFrom('rate_limit_counts').execute();
  return figures;
}

export function printSharedLimits(figures: SharedLimitFigures[]): void {
  console.log(
    table(
      ['store', 'hit p50', 'hit p99', 'hits/s at 16'],
      figures.map((f) => [f.store, ms(f.p50), ms(f.p99), f.perSecond.toFixed(0)]),
    ),
  );
}
