// Part A: the JavaScript-path submission, ours against the bare baseline, in interleaved rounds
// (baseline, ours, baseline, ours…) so that a passing disturbance on the machine hits both alike.
import path from 'node:path';
import { monotonicMicros, type ProfileWindow } from './cpu-profile-summary';
import { cpuPerRequest, cpuSnapshot, type CpuSnapshot } from './cpu-usage';
import { runLoad, type LoadResult } from './load-generator';
import { describeWaits, sampleWaits } from './postgres-waits';
import { queryStatsPerRequest } from './query-stats';
import type { ServerProcess } from './server-process';
import { summarize, type LatencySummary } from './stats';
import type { SubmissionTemplate } from './submission-payload';

export interface SubmissionFigures extends LatencySummary {
  requests: number;
  perSecond: number;
  /** CPU milliseconds per request, by process; null where /proc is missing. */
  cpu: CpuSnapshot | null;
  /** What the database sessions were doing, on average, while this server was measured. */
  waits: string;
  /** SQL statements per request, the server's time in them, and the costliest statement shapes. */
  queries: { statements: number; milliseconds: number; top: string };
}

export interface SubmissionBenchOptions {
  servers: { baseline: ServerProcess; ours: ServerProcess };
  dataDir: string;
  databaseUrl: string;
  submission: SubmissionTemplate;
  requests: number;
  warmup: number;
  concurrency: number;
  rounds: number;
  log: (message: string) => void;
}

type Name = 'baseline' | 'ours';

/** The figures per server, and when the measured rounds ran (for the CPU profiles' summary). */
export async function runSubmissionBench(
  options: SubmissionBenchOptions,
): Promise<Record<Name, SubmissionFigures> & { measured: ProfileWindow }> {
  const names: Name[] = ['baseline', 'ours'];
  const clusterDir = path.join(options.dataDir, 'postgres');
  const post = (name: Name, count: number) =>
    runLoad(`${options.servers[name].url}/api/reports`, options.submission.bodies(count), options.concurrency).then(
      (r) => check(name, r),
    );

  for (const name of names) {
    options.log(`   ${name}: warming up (${options.warmup})…`);
    await post(name, options.warmup);
  }
  const queriesBefore = {
    baseline: await options.servers.baseline.queryStats(),
    ours: await options.servers.ours.queryStats(),
  };
  const fromUs = monotonicMicros();
  const rounds: Record<Name, LoadResult[]> = { baseline: [], ours: [] };
  const cpu: Record<Name, CpuSnapshot[]> = { baseline: [], ours: [] };
  // Sampled in the last round only: the sampler's own queries cost the database a little.
  const waits: Record<Name, string> = { baseline: 'n/a', ours: 'n/a' };
  const perRound = Math.ceil(options.requests / options.rounds);
  for (let round = 1; round <= options.rounds; round++) {
    for (const name of names) {
      options.log(`   ${name}: round ${round}/${options.rounds}, ${perRound} requests…`);
      const pid = options.servers[name].pid;
      const before = cpuSnapshot(pid, clusterDir);
      const sampler = round === options.rounds ? sampleWaits(options.databaseUrl) : null;
      const result = await post(name, perRound);
      const used = cpuPerRequest(before, cpuSnapshot(pid, clusterDir), 1);
      if (sampler) waits[name] = describeWaits(await sampler.stop());
      rounds[name].push(result);
      if (used) cpu[name].push(used);
    }
  }
  const measured = { fromUs, toUs: monotonicMicros() };
  const figures = {} as Record<Name, SubmissionFigures>;
  for (const name of names) {
    const combined = combine(rounds[name], cpu[name], waits[name]);
    figures[name] = {
      ...combined,
      queries: queryStatsPerRequest(queriesBefore[name], await options.servers[name].queryStats(), combined.requests),
    };
  }
  return { ...figures, measured };
}

/** Throughput over all rounds (requests / time spent sending them); latency percentiles over all requests. */
function combine(results: LoadResult[], cpu: CpuSnapshot[], waits: string): Omit<SubmissionFigures, 'queries'> {
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const seconds = results.reduce((n, r) => n + r.seconds, 0);
  const total = (key: keyof CpuSnapshot) => cpu.reduce((sum, c) => sum + c[key], 0) / requests;
  return {
    requests,
    perSecond: requests / seconds,
    ...summarize(results.flatMap((r) => r.latencies)),
    cpu:
      cpu.length === results.length
        ? { server: total('server'), postgres: total('postgres'), loadGenerator: total('loadGenerator') }
        : null,
    waits,
  };
}

/** Every response must be 201; otherwise the figures mean nothing. */
function check(name: string, result: LoadResult): LoadResult {
  if (result.failures.size > 0) {
    const counts = [...result.failures].map(([status, n]) => `${n}× ${status}`).join(', ');
    throw new Error(`${name}: not every response was 201 (${counts}); first: ${result.firstFailure}`);
  }
  return result;
}
