// `gpg --auto-key-locate clear,wkd --locate-keys security@intake.test` against the running app.
//
// GnuPG fetches WKD only over https, to port 443 of the mail domain, and (dirmngr 2.2) trusts only
// the system's CA bundle for it, refusing dot-less host names. So the test:
//   * serves the real app over TLS with a certificate for intake.test from a throw-away CA;
//   * points dirmngr at a local CONNECT proxy (its supported `http-proxy` option), which tunnels
//     "intake.test:443" to that TLS server;
//   * runs gpg in a private mount namespace (`unshare --mount`) where the system CA bundle is
//     replaced, by a bind mount visible to that process tree only, with the bundle plus the test CA.
// Certificate checking stays on. Where unshare is not allowed (an unprivileged container), it falls
// back to the URL gpg-wks-client computes, fetched over the same TLS, and says so on stderr.
import fs from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app';
import { createLogger } from '../../server/log';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { SECURITY, startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { runOrThrow, runProcess } from '../helpers/run-process';

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
let s: MailScenario;
let tlsServer: https.Server;
let proxy: net.Server;
let dir: string;
let ca: string;
let gpg: GnupgHome;

beforeAll(async () => {
  s = await startMailScenario({ relay: false });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-wkd-'));
  const openssl = (...args: string[]) => runOrThrow('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=Intake test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=intake.test',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  await fs.writeFile(
    path.join(dir, 'ext.cnf'),
    'subjectAltName=DNS:intake.test,DNS:openpgpkey.intake.test\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
    '-out',
    'server.pem',
  );
  ca = await fs.readFile(path.join(dir, 'ca.pem'), 'utf8');

  const app = await createApp({
    db: s.database.db,
    config: s.config,
    log: createLogger(() => undefined),
    events: s.mail.events,
    intakeKeys: s.intakeKeys,
  });
  tlsServer = https.createServer(
    { key: await fs.readFile(path.join(dir, 'server.key')), cert: await fs.readFile(path.join(dir, 'server.pem')) },
    app,
  );
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const tlsPort = (tlsServer.address() as AddressInfo).port;

  // CONNECT anything → our TLS server (dirmngr asks for intake.test:443).
  proxy = net.createServer((client) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      if (!/^CONNECT [^ ]+:443 HTTP\/1\.[01]\r\n/.test(head.toString('latin1'))) return client.destroy();
      const upstream = net.connect(tlsPort, '127.0.0.1', () => {
        client.write('HTTP/1.0 200 Connection established\r\n\r\n');
        upstream.write(head.subarray(end + 4));
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));

  gpg = await createGnupgHome();
  await fs.writeFile(
    path.join(gpg.home, 'dirmngr.conf'),
    `http-proxy http://127.0.0.1:${(proxy.address() as AddressInfo).port}\n`,
  );
  await fs.writeFile(
    path.join(dir, 'bundle.pem'),
    `${await fs.readFile(SYSTEM_BUNDLE, 'utf8').catch(() => '')}\n${ca}`,
  );
});

afterAll(async () => {
  await gpg?.destroy();
  await new Promise((resolve) => proxy?.close(resolve));
  tlsServer?.closeAllConnections();
  await new Promise((resolve) => tlsServer?.close(resolve));
  await s?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

test('gpg --locate-keys with WKD finds the intake key', async () => {
  const probe = await runProcess('unshare', [
    '--mount',
    '--',
    'sh',
    '-c',
    `mount --bind ${path.join(dir, 'bundle.pem')} ${SYSTEM_BUNDLE} && true`,
  ]);
  if (probe.code === 0) {
    const script = `mount --bind ${path.join(dir, 'bundle.pem')} ${SYSTEM_BUNDLE} && exec gpg --homedir ${gpg.home} --batch --with-colons --auto-key-locate clear,wkd --locate-keys ${SECURITY}`;
    const located = await runProcess('unshare', ['--mount', '--', 'sh', '-c', script], { timeoutMs: 60_000 });
    expect(located.stderr).toMatch(/imported|unchanged/);
    expect(located.code).toBe(0);
    expect(located.stdout.toString()).toContain(`fpr:::::::::${s.intakeFingerprint}:`);
  } else {
    process.stderr.write(
      'well-known-wkd-gpg: unshare is not permitted here; checked the URL gpg-wks-client prints instead of a full dirmngr lookup\n',
    );
    const url = (await runOrThrow('/usr/lib/gnupg/gpg-wks-client', ['--print-wkd-url', SECURITY])).toString().trim();
    const direct = url.replace(
      'https://openpgpkey.intake.test/.well-known/openpgpkey/intake.test/',
      'https://intake.test/.well-known/openpgpkey/',
    );
    const key = await fetchOverTls(direct);
    await runOrThrow('gpg', ['--homedir', gpg.home, '--batch', '--import'], { input: key });
  }
  const listed = (
    await runOrThrow('gpg', ['--homedir', gpg.home, '--batch', '--with-colons', '--list-keys', SECURITY])
  ).toString();
  expect(listed).toContain(s.intakeFingerprint);
});

function fetchOverTls(url: string): Promise<Buffer> {
  const port = (tlsServer.address() as AddressInfo).port;
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    https
      .get(
        {
          host: '127.0.0.1',
          port,
          path: u.pathname + u.search,
          servername: u.hostname,
          headers: { host: u.hostname },
          ca,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      )
      .on('error', reject);
  });
}
