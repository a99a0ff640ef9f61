// Where a server child's CPU time went (BENCH_CPU_PROF=1): reads the V8 CPU profiles it wrote and
// prints the functions with the most self time, the packages they belong to, and the project's own
// functions by inclusive time (what a request path costs with everything it calls).
import fs from 'node:fs';
import path from 'node:path';
import { table } from './stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Which bucket a frame's time is counted in: a package, the project, Node itself, or V8's own. */
const IDLE = new Set(['(idle)', 'atomicsWaitLoop']);

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return 'node';
  return 'project';
}

function frameName(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url
    .replace(/^file:\/\//, '')
    .replace(`${root}/`, '')
    .replace(/^.*node_modules\//, '');
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

export interface ProfileSummary {
  /** Sampled milliseconds, idle excluded. */
  busyMs: number;
  self: { name: string; ms: number }[];
  areas: { name: string; ms: number }[];
  /** Busy milliseconds by thread: the event loop ('main') and each worker thread. */
  threads: { name: string; ms: number }[];
  /** The project's own functions (outside node_modules) by time including their callees. */
  inclusive: { name: string; ms: number }[];
}

/** A stretch of time on the monotonic clock V8 stamps samples with (process.hrtime, in µs). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** The monotonic clock in µs, as V8's profiler reads it: marks a ProfileWindow. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Sums every profile `pid` wrote into `dir` (one per thread), counting only samples inside `window`
 * (start-up, module loading and warm-up are left out). Null when there is none.
 */
export function summarizeProfiles(dir: string, pid: number, window: ProfileWindow, top = 12): ProfileSummary | null {
  const files = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid))
    : [];
  if (files.length === 0) return null;
  const root = path.resolve(__dirname, '../..');
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const threads = new Map<string, number>();
  let busy = 0;
  for (const file of files) {
    const thread = file.split('.')[4] === '0' ? 'main (event loop)' : `thread ${file.split('.')[4]}`;
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const node = byId.get(id)!;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      at += profile.timeDeltas[i] ?? 0;
      // A pool thread waiting for work blocks in Atomics.wait, which the profiler shows as a JS frame.
      if (at < window.fromUs || at > window.toUs || IDLE.has(node.callFrame.functionName)) return;
      busy += ms;
      threads.set(thread, (threads.get(thread) ?? 0) + ms);
      const name = frameName(node, root);
      self.set(name, (self.get(name) ?? 0) + ms);
      const area = areaOf(node.callFrame.url, node.callFrame.functionName);
      areas.set(area, (areas.get(area) ?? 0) + ms);
      const seen = new Set<string>();
      for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
        const frame = byId.get(up)!;
        if (areaOf(frame.callFrame.url, frame.callFrame.functionName) !== 'project') continue;
        const frameKey = frameName(frame, root);
        if (seen.has(frameKey)) continue;
        seen.add(frameKey);
        inclusive.set(frameKey, (inclusive.get(frameKey) ?? 0) + ms);
      }
    });
  }
  const ranked = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms }));
  return {
    busyMs: busy,
    self: ranked(self, top),
    areas: ranked(areas, 8),
    threads: ranked(threads, 8),
    inclusive: ranked(inclusive, top),
  };
}

/** The summary as the bench prints it, per request. */
export function printProfileSummary(title: string, summary: ProfileSummary | null, requests: number): void {
  if (!summary) {
    console.log(`\n   ${title}: no CPU profile found`);
    return;
  }
  const per = (ms: number) => `${((ms / requests) * 1000).toFixed(0)} µs`;
  const share = (ms: number) => `${((ms / summary.busyMs) * 100).toFixed(1)}%`;
  const rows = (list: { name: string; ms: number }[]) => list.map((e) => [e.name.slice(0, 90), per(e.ms), share(e.ms)]);
  console.log(
    `\n   ${title}: ${per(summary.busyMs)} busy CPU per request (main thread and workers, measured rounds)\n`,
  );
  console.log(table(['top self time', 'per request', 'share'], rows(summary.self)));
  console.log('');
  console.log(table(['by package', 'per request', 'share'], rows(summary.areas)));
  console.log('');
  console.log(table(['by thread', 'per request', 'share'], rows(summary.threads)));
  console.log('');
  console.log(table(["project's functions, inclusive", 'per request', 'share'], rows(summary.inclusive)));
}
