// What the intake announces in EHLO (SIZE; STARTTLS only with a certificate; never AUTH), and a
// report delivered under STARTTLS, which the stored document records.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { decryptCaseWithGpg } from '../helpers/report-scenario';
import { SECURITY, startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { runOrThrow } from '../helpers/run-process';
import { REFERENCE_PATTERN } from '../../server/cases/case-reference';

/** The EHLO answer, read over a plain socket. */
async function ehlo(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (/^220 /m.test(text) && !text.includes('EHLO-SENT')) {
        text += 'EHLO-SENT\n';
        socket.write('EHLO client.example.net\r\n');
      } else if (/^250 /m.test(text)) {
        socket.end('QUIT\r\n');
        resolve(text);
      }
    });
    socket.on('error', reject);
  });
}

let dir: string;
let tls: MailScenario;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-smtp-tls-'));
  await runOrThrow(
    'openssl',
    [
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
      '/CN=intake.test',
      '-addext',
      'subjectAltName=DNS:intake.test',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
    ],
    { cwd: dir },
  );
  // In the main thread (SMTP_WORKERS=0): the other intake tests run the default worker threads.
  tls = await startMailScenario({
    relay: false,
    env: { SMTP_TLS_CERT: path.join(dir, 'cert.pem'), SMTP_TLS_KEY: path.join(dir, 'key.pem'), SMTP_WORKERS: '0' },
  });
});
afterAll(async () => {
  await tls?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

test('EHLO announces SIZE and STARTTLS with a certificate, and never AUTH', async () => {
  const answer = await ehlo(tls.smtp.port!);
  expect(answer).toMatch(/^250[- ]SIZE 26214400/m);
  expect(answer).toMatch(/^250[- ]STARTTLS/m);
  expect(answer).not.toMatch(/AUTH/);

  const plain = await startMailScenario({ relay: false });
  try {
    const without = await ehlo(plain.smtp.port!);
    expect(without).not.toMatch(/STARTTLS/);
    expect(without).toMatch(/^250[- ]SIZE/m);
  } finally {
    await plain.close();
  }
});

test('a report sent under STARTTLS says so in its document', async () => {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: tls.smtp.port!,
    secure: false,
    requireTLS: true,
    tls: { ca: await fs.readFile(path.join(dir, 'cert.pem')), servername: 'intake.test' },
  });
  const info = await transport.sendMail({
    from: 'tls@example.net',
    to: SECURITY,
    subject: 'over tls',
    text: 'encrypted in transit',
  });
  transport.close();
  const reference = new RegExp(`(${REFERENCE_PATTERN})`).exec(info.response)![1]!;
  const [report] = await decryptCaseWithGpg(tls.database.db, reference, 'alice');
  expect(report!.data.toString()).toContain('over SMTP with STARTTLS');
});
