// The real server (`node --import tsx server/main.ts`, as `npm start` runs it) in a child process
// against a test database, so that a test can see it exit, and read every line it logged.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface AppProcess {
  url: string;
  /** Every line the server wrote to stderr (its JSON log). */
  logLines: string[];
  /** How the process ended, or null while it runs. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** SIGTERM (the server's clean shutdown), then SIGKILL if it lingers. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, mid-request (a crash, an OOM kill). Resolves when it is gone. */
  kill(): Promise<void>;
}

/**
 * Starts the server on a free loopback port with the SMTP intake off; `env` adds to its config
 * (rate limits, TRUST_PROXY, …). Resolves once it logs that it listens.
 */
export async function startAppProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<AppProcess> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-app-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      SMTP_PORT: 'off',
      INTAKE_KEY_PASSPHRASE: 'passphrase of the test intake key',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logLines: string[] = [];
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = { code, signal };
      resolve();
    }),
  );
  let partial = '';
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not listen within ${timeoutMs} ms:\n${logLines.join('\n')}`)),
      timeoutMs,
    );
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        logLines.push(line);
        const port = listeningPort(line);
        if (port !== null) {
          clearTimeout(timer);
          resolve(port);
        }
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(
        new Error(`the server exited (${JSON.stringify(ended)}) before listening:\n${logLines.join('\n')}${partial}`),
      );
    });
  });
  const stop = async () => {
    if (!ended) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await fs.rm(dataDir, { recursive: true, force: true });
  };
  try {
    const port = await listening;
    const kill = async () => {
      if (!ended) child.kill('SIGKILL');
      await exited;
    };
    return { url: `http://127.0.0.1:${port}`, logLines, exit: () => ended, stop, kill };
  } catch (error) {
    await stop();
    throw error;
  }
}

function listeningPort(line: string): number | null {
  try {
    const entry = JSON.parse(line) as { message?: string; port?: number };
    return entry.message === 'listening' && typeof entry.port === 'number' ? entry.port : null;
  } catch {
    return null;
  }
}
