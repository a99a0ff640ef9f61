// `npm start` as a new operator runs it: settings from intake.env, loopback only, a loud word about
// MAIL_DOMAIN, and Ctrl-C (SIGINT to the whole process group, PostgreSQL included) stops it cleanly.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.join(__dirname, '..', '..');
// From another working directory, `--import tsx` would not resolve: name the loader itself.
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let cwd: string;

beforeAll(async () => {
  cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-start-'));
  await fs.chmod(cwd, 0o711); // as root, PostgreSQL runs as "postgres" and must traverse it
});
afterAll(() => fs.rm(cwd, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

test('reads intake.env, listens on loopback, warns about MAIL_DOMAIN, and stops on Ctrl-C without a warning', async () => {
  const port = await freePort();
  await fs.writeFile(
    path.join(cwd, 'intake.env'),
    `PORT=${port}\nSMTP_PORT=0\nDATA_DIR=${path.join(cwd, 'data')}\nPROJECT_NAME=Demo\n`,
  );
  const env = { ...process.env };
  for (const name of [
    'PORT',
    'HOST',
    'PUBLIC_URL',
    'MAIL_DOMAIN',
    'DATABASE_URL',
    'DATA_DIR',
    'SMTP_PORT',
    'SMTP_HOST',
    'INTAKE_ENV_FILE',
  ])
    delete env[name];
  // detached: its own process group, as a terminal's foreground job.
  const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'server', 'main.ts')], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: { level: string; message: string; [field: string]: unknown }[] = [];
  let buffered = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          lines.push(JSON.parse(line));
        } catch {
          lines.push({ level: 'raw', message: line });
        }
        if (lines.at(-1)!.message === 'listening') resolve();
      }
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}): ${JSON.stringify(lines)}`)));
  });
  try {
    await listening;
    expect(lines.find((l) => l.message === 'settings')).toMatchObject({ file: path.join(cwd, 'intake.env') });
    expect(lines.find((l) => l.message === 'listening')).toMatchObject({
      host: '127.0.0.1',
      port,
      url: `http://localhost:${port}`,
    });
    expect(lines.find((l) => l.message === 'SMTP intake listening')).toMatchObject({
      addresses: ['security@localhost', 'conduct@localhost'],
    });
    expect(lines.some((l) => l.level === 'warn' && /^MAIL_DOMAIN is not set.*intake-key reissue/.test(l.message))).toBe(
      true,
    );
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
  }
  expect(await exited).toBe(0);
  const after = lines.slice(lines.findIndex((l) => l.message === 'stopping'));
  expect(after.length).toBeGreaterThan(0);
  expect(after.filter((l) => l.level !== 'info')).toEqual([]);
}, 120_000);
