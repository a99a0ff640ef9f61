// The last-resort guard: an exception thrown where express cannot see it (a listener on the request
// stream, a timer, a rejected promise nobody awaits) fails that request with a 500, and the process
// serves the next one; an exception outside any request still ends the process, as a bug should.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'test', 'fixtures', 'apps', 'stray-exceptions.ts');

interface Child {
  process: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child
      .stdout!.setEncoding('utf8')
      .once('data', (port: string) =>
        resolve({ process: child, url: `http://127.0.0.1:${port.trim()}`, stderr: () => stderr, exited }),
      );
    void exited.then((code) => reject(new Error(`exited with ${code} before listening: ${stderr}`)));
  });
}

let child: Child;
beforeAll(async () => {
  child = await start();
}, 60_000);
afterAll(() => {
  child.process.kill('SIGKILL');
});

test.each([
  ['POST', '/api/listener-throws'],
  ['GET', '/timer-throws'],
  ['GET', '/rejection'],
])('%s %s: that request gets a 500 without internals, the next request is served', async (method, route) => {
  const answer = await fetch(`${child.url}${route}`, { method, body: method === 'POST' ? 'some body' : undefined });
  expect(answer.status).toBe(500);
  const text = await answer.text();
  expect(text).toMatch(/Something went wrong on our side/);
  expect(text).not.toMatch(/threw|rejected|at \w+ \(/);
  expect(await (await fetch(`${child.url}/ok`)).text()).toBe('ok');
  expect(child.process.exitCode).toBeNull();
  const logged = child
    .stderr()
    .split('\n')
    .filter((line) => line.includes('request failed outside its handler'));
  expect(logged.at(-1)).toContain(`"route":"${route}"`);
});

test('an exception outside any request still ends the process (start-up bugs are not hidden)', async () => {
  const failing = await start({ STRAY_AT_START: '1' });
  expect(await failing.exited).toBe(1);
  expect(failing.stderr()).toMatch(/uncaught exception outside any request; stopping/);
}, 60_000);
