// Runs a bench server (ours or the baseline) in a child process, so that it has its own event loop.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { installQueryStats, type QueryStats } from './query-stats';

export interface ServerProcess {
  url: string;
  pid: number;
  /** The child's SQL statement counts and times so far (query-stats.ts). */
  queryStats(): Promise<QueryStats>;
  stop(): Promise<void>;
}

/** What the parent sends a child on start: where the database is. The URL holds a password, hence IPC, not argv. */
export interface StartMessage {
  databaseUrl: string;
  dataDir: string;
  /** Configuration for this child only (server/config.ts variables). */
  env?: Record<string, string>;
}

/**
 * Forks `script` (a .ts file in this folder) under tsx, sends it the database, and waits for the
 * port it listens on. BENCH_CPU_PROF=1 writes a V8 CPU profile of each child into BENCH_CPU_PROF_DIR.
 */
export async function startServerProcess(
  script: string,
  start: StartMessage,
  timeoutMs = 30_000,
): Promise<ServerProcess> {
  const profile =
    process.env.BENCH_CPU_PROF === '1'
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR ?? process.cwd()}`]
      : [];
  const child = fork(path.join(__dirname, script), [], {
    execArgv: ['--import', 'tsx', ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      const { port, error } = message as { port?: number; error?: string };
      if (port) resolve(port);
      else reject(new Error(`${script} failed to start: ${error}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before listening`));
    });
    child.send(start);
  }).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  const queryStats = () =>
    new Promise<QueryStats>((resolve) => {
      const onMessage = (message: unknown) => {
        const stats = (message as { queryStats?: QueryStats }).queryStats;
        if (!stats) return;
        child.off('message', onMessage);
        resolve(stats);
      };
      child.on('message', onMessage);
      child.send('query-stats');
    });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, queryStats, stop: () => stopChild(child) };
}

/** Asks the child to close (so that its CPU profile is written), then kills it if it lingers. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send('stop');
    else child.kill('SIGTERM');
  });
}

/**
 * In a child: waits for the parent's start message, runs `listen`, reports the port, answers
 * 'query-stats', and stops on 'stop'.
 */
export function serveChild(listen: (start: StartMessage) => Promise<{ port: number; close(): Promise<void> }>): void {
  const queryStats = installQueryStats();
  process.once('message', async (start: StartMessage) => {
    try {
      const server = await listen(start);
      process.on('message', async (message) => {
        if (message === 'query-stats') process.send!({ queryStats: queryStats() });
        if (message !== 'stop') return;
        await server.close().catch(() => undefined);
        process.exit(0);
      });
      process.send!({ port: server.port });
    } catch (error) {
      process.send!({ error: (error as Error).message });
      process.exit(1);
    }
  });
  // An orphaned child (the parent died) must not keep running.
  process.on('disconnect', () => process.exit(0));
  // When the bench is interrupted, PostgreSQL may shut down under a live connection: leave quietly.
  process.on('uncaughtException', (error: Error & { code?: string }) => {
    if (error.code !== '57P01' && error.code !== '57P03') console.error(error);
    process.exit(error.code?.startsWith('57P') ? 0 : 1);
  });
}
