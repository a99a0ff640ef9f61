// The e-mail side on real sockets: the intake key, outbound mail (pg-boss queue) and the SMTP
// intake (mail-instance.ts) on a test database, a real SMTP sink as the outbound relay, and
// nodemailer as the reporter's mail client. Mail is made with stock gpg, as a reporter's tools would make it.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { MemberRole } from '../../db/database';
import type { MemberWithKey } from '../../db/members.queries';
import { createApp, type AppDeps } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';
import { createLogger } from '../../server/log';
import type { IntakeKeyring } from '../../server/intake-key/keyring';
import type { MailService } from '../../server/mail/mail-service';
import type { RunningSmtpIntake } from '../../server/smtp/start-intake';
import { createTestDatabase, type TestDatabase } from './db';
import { createGnupgHome, type GnupgHome } from './gnupg';
import { addFixtureMember, testArgon2Cost, type GoodKeyName } from './keys';
import { startMailInstance } from './mail-instance';
import { TestClock, type AuthTestServer } from './member-auth';

export const MAIL_DOMAIN = 'intake.test';
export const SECURITY = `security@${MAIL_DOMAIN}`;
export const CONDUCT = `conduct@${MAIL_DOMAIN}`;
export const TEST_PASSPHRASE = 'test intake passphrase';

/** A real SMTP server that takes every message and keeps it, standing in for the outbound relay. */
export interface SmtpSink {
  port: number;
  url: string;
  messages: { from: string; to: string[]; raw: Buffer }[];
  stop(): Promise<void>;
  /** Listens again on the same port (after stop). */
  start(): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
}

export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: SmtpSink['messages'] = [];
  let server: SMTPServer;
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      disableReverseLookup: true,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          callback();
        });
      },
    });
  const sink: SmtpSink = {
    port,
    url: '',
    messages,
    start: () =>
      new Promise((resolve) => {
        server = make();
        server.listen(sink.port, '127.0.0.1', () => {
          sink.port = (server.server.address() as AddressInfo).port;
          sink.url = `smtp://127.0.0.1:${sink.port}`;
          resolve();
        });
      }),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
    waitFor: async (count, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until) throw new Error(`the sink received ${messages.length} messages, not ${count}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  await sink.start();
  return sink;
}

export interface MailScenario {
  database: TestDatabase;
  config: Config;
  intakeKeys: IntakeKeyring;
  mail: MailService;
  smtp: RunningSmtpIntake;
  sink: SmtpSink | null;
  /** http://127.0.0.1:PORT of the app (security.txt, WKD…). */
  webUrl: string;
  server: Server;
  /** The same app as a sign-in test server, with the clock its sessions and TOTP steps follow. */
  authServer: AuthTestServer;
  members: Partial<Record<GoodKeyName, MemberWithKey>>;
  logLines: string[];
  /** A GnuPG home holding the intake public key (as a reporter's), plus whatever a test imports. */
  reporter: GnupgHome;
  intakeFingerprint: string;
  close(): Promise<void>;
}

export const DEFAULT_MAIL_MEMBERS: readonly [GoodKeyName, MemberRole][] = [
  ['alice', 'srt'],
  ['bob', 'srt'],
  ['carol', 'approver'],
  ['dave', 'approver'],
];

export async function startMailScenario(
  options: {
    members?: readonly [GoodKeyName, MemberRole][];
    env?: Record<string, string>;
    relay?: boolean;
    /** More of what the app may be given (the decisions clock, …). */
    deps?: Partial<Pick<AppDeps, 'governanceClock'>>;
  } = {},
): Promise<MailScenario> {
  const database = await createTestDatabase();
  const members: MailScenario['members'] = {};
  for (const [name, role] of options.members ?? DEFAULT_MAIL_MEMBERS)
    members[name] = await addFixtureMember(database.db, name, role);
  const sink = options.relay === false ? null : await startSmtpSink();
  const config = loadConfig({
    DATA_DIR: '/nonexistent',
    PUBLIC_URL: 'https://report.intake.test',
    MAIL_DOMAIN,
    SMTP_PORT: '0',
    SMTP_HOST: '127.0.0.1',
    INTAKE_KEY_PASSPHRASE: TEST_PASSPHRASE,
    ...(sink ? { SMTP_URL: sink.url } : {}),
    ...options.env,
  });
  const logLines: string[] = [];
  const log = createLogger((line) => logLines.push(line));
  const instance = await startMailInstance({
    config,
    database,
    log,
    argon2: testArgon2Cost,
    queue: { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1 },
  });
  const { intakeKeys, mail, smtp } = instance;
  const clock = new TestClock();
  const app = await createApp({
    db: database.db,
    config,
    log,
    argon2: testArgon2Cost,
    clock: clock.now,
    ...options.deps,
    events: mail.events,
    intakeKeys,
    mailStatus: (memberId) => mail.status(memberId),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const reporter = await createGnupgHome();
  await reporter.importKey(intakeKeys.current().armored);
  const webUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    await instance.stop();
    await sink?.stop();
    await reporter.destroy();
    await database.destroy();
  };
  return {
    database,
    config,
    intakeKeys,
    mail,
    smtp,
    sink,
    webUrl,
    server,
    authServer: { url: webUrl, clock, logLines, close },
    members,
    logLines,
    reporter,
    intakeFingerprint: intakeKeys.current().fingerprint,
    close,
  };
}

export interface SmtpResult {
  code: number;
  response: string;
}

/** Sends with nodemailer as an ordinary SMTP client; resolves with the final answer, accepted or not. */
export async function sendMail(
  port: number,
  mail: {
    from?: string;
    to: string | string[];
    subject?: string;
    text?: string;
    raw?: string | Buffer;
    attachments?: { filename: string; content: Buffer | string }[];
  },
): Promise<SmtpResult> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 10_000,
  });
  try {
    const to = Array.isArray(mail.to) ? mail.to : [mail.to];
    const info =
      mail.raw !== undefined
        ? await transport.sendMail({ envelope: { from: mail.from ?? 'reporter@example.net', to }, raw: mail.raw })
        : await transport.sendMail({
            from: mail.from ?? 'reporter@example.net',
            to,
            subject: mail.subject,
            text: mail.text,
            attachments: mail.attachments,
          });
    return { code: Number(info.response.slice(0, 3)), response: info.response };
  } catch (error) {
    const e = error as { responseCode?: number; response?: string; message: string };
    if (e.responseCode === undefined) throw error;
    return { code: e.responseCode, response: e.response ?? e.message };
  } finally {
    transport.close();
  }
}

/** A PGP/MIME (RFC 3156) message around an armored OpenPGP message, as a mail program sends it. */
export function pgpMimeMail(options: {
  from: string;
  to: string;
  subject: string;
  armored: string;
  headers?: string[];
}): string {
  const boundary = 'pgpmime-boundary-3156';
  return [
    `From: ${options.from}`,
    `To: ${options.to}`,
    `Subject: ${options.subject}`,
    'Date: Tue, 24 Nov 2026 10:00:00 +0000',
    'Message-ID: <pgpmime-test@example.net>',
    'MIME-Version: 1.0',
    ...(options.headers ?? []),
    `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${boundary}"`,
    '',
    'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)',
    `--${boundary}`,
    'Content-Type: application/pgp-encrypted',
    'Content-Description: PGP/MIME version identification',
    '',
    'Version: 1',
    '',
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="encrypted.asc"',
    'Content-Disposition: inline; filename="encrypted.asc"',
    '',
    options.armored.trim(),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** A MIME entity with a text part and one attachment: what goes inside a PGP/MIME message. */
export function mimeEntity(text: string, attachment?: { filename: string; data: Buffer }, subject?: string): string {
  if (!attachment)
    return [`Content-Type: text/plain; charset=utf-8`, ...(subject ? [`Subject: ${subject}`] : []), '', text, ''].join(
      '\r\n',
    );
  const b = 'inner-boundary-42';
  return [
    `Content-Type: multipart/mixed; boundary="${b}"`,
    ...(subject ? [`Subject: ${subject}`] : []),
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    `--${b}`,
    `Content-Type: application/octet-stream; name="${attachment.filename}"`,
    `Content-Disposition: attachment; filename="${attachment.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    attachment.data.toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${b}--`,
    '',
  ].join('\r\n');
}
