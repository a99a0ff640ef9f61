// Where the CPU goes during a load phase (Linux /proc): the server child, PostgreSQL (postmaster and
// its backends), and this process (the load generator). Elsewhere it measures nothing and says so.
import fs from 'node:fs';
import path from 'node:path';

export interface CpuSnapshot {
  server: number;
  postgres: number;
  loadGenerator: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds used so far by the server `serverPid` and by the PostgreSQL cluster under `clusterDir`. */
export function cpuSnapshot(serverPid: number, clusterDir: string): CpuSnapshot | null {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const usage = process.cpuUsage();
  const postmaster = Number(readOr(path.join(clusterDir, 'postmaster.pid'), '').split('\n')[0]);
  let postgres = 0;
  let server = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = parseStat(readOr(`/proc/${entry}/stat`, ''));
    if (!stat) continue;
    const pid = Number(entry);
    if (pid === serverPid) server += stat.seconds;
    if (pid === postmaster || stat.ppid === postmaster) postgres += stat.seconds;
  }
  return { server, postgres, loadGenerator: (usage.user + usage.system) / 1e6 };
}

/** CPU milliseconds per request between two snapshots. */
export function cpuPerRequest(
  before: CpuSnapshot | null,
  after: CpuSnapshot | null,
  requests: number,
): CpuSnapshot | null {
  if (!before || !after) return null;
  const per = (key: keyof CpuSnapshot) => ((after[key] - before[key]) * 1000) / requests;
  return { server: per('server'), postgres: per('postgres'), loadGenerator: per('loadGenerator') };
}

/** CPU seconds of this process's reaped children (cutime + cstime, fields 16 and 17); null without /proc. */
export function childrenCpuSeconds(): number | null {
  const line = readOr('/proc/self/stat', '');
  if (!line) return null;
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** utime + stime (fields 14 and 15) and the parent pid (field 4); the command name may hold spaces. */
function parseStat(line: string): { ppid: number; seconds: number } | null {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  if (fields.length < 13) return null;
  return { ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
