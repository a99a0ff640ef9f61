// The SMTP intake on SMTP_PORT: the real smtp-server. It accepts mail only for the intake
// addresses and the cases' reply addresses (550 at RCPT for any other; envelope-recipients.ts),
// announces and enforces SIZE (552), answers 250 only after the case (or the reporter's message
// on it) is committed and 451 while it cannot be stored. No client address, sender or subject
// is logged; message bytes live only in this process's memory.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { CaseKind, Database } from '../../db/database';
import type { Logger } from '../log';
import type { CaseEvents } from '../cases/case-events';
import type { Config } from '../config';
import type { Acknowledge } from '../intake/mail-acknowledgement';
import { recipientRules, type Destination } from './envelope-recipients';
import type { MailProcessor } from './intake-workers';
import { caseForReplyToken } from './reply-address';
import { SmtpRefusal, tryLater } from './refusal';
import { sharedLimits, type SharedLimits } from '../limits/shared-limits';

export interface SmtpIntakeDeps {
  config: Config;
  /** Looks up reply addresses at RCPT (the workers check them again when they store). */
  db: Kysely<Database>;
  /** Opens, encrypts and stores each message (in worker threads, or in this one). */
  processor: MailProcessor;
  events?: Pick<CaseEvents, 'caseStored' | 'messageAdded'>;
  log: Logger;
  /** The acknowledgement to the reporter of a new case (outbound mail's, wired by main.ts). */
  acknowledge?: Acknowledge;
}

export interface SmtpIntake {
  /** Resolves with the port it listens on. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createSmtpIntake(deps: SmtpIntakeDeps): SmtpIntake {
  const { mail } = deps.config;
  const kinds = new Map<string, CaseKind>();
  for (const kind of ['security', 'coc'] as const) for (const address of mail.addresses[kind]) kinds.set(address, kind);
  const recipients = recipientRules(
    kinds,
    async (token) => (await caseForReplyToken(deps.db, token, mail.replyDaysAfterClose))?.kind,
  );
  const limiter = new ClientLimiter(deps.db, mail.rateLimit.max, mail.rateLimit.windowMs);
  // Messages are held in memory while they arrive: bound the total, so that many large messages at
  // once are deferred (451, retried later) instead of exhausting memory.
  const budget = { limit: Math.max(8 * mail.maxMessageBytes, 64 * 1024 * 1024), used: 0 };
  const tls = mail.tls ? { key: fs.readFileSync(mail.tls.keyFile), cert: fs.readFileSync(mail.tls.certFile) } : {};

  const server = new IntakeSmtpServer({
    name: mail.domain,
    banner: `${deps.config.projectName} confidential report intake`,
    size: mail.maxMessageBytes,
    rejectOversized: true,
    authOptional: true,
    disabledCommands: mail.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    hideSTARTTLS: !mail.tls,
    ...tls,
    logger: false,
    disableReverseLookup: true,
    // Only the listed proxies may (and must) send a PROXY header; smtp-server takes a list, its types only a boolean.
    useProxy: (mail.proxyFrom.length > 0 ? [...mail.proxyFrom] : false) as boolean,
    maxClients: 100,
    maxRecipients: recipients.cap,
    // RFC 2034/3463 codes say what a refusal means to the sending server (4.5.3: send this recipient on its own).
    hideENHANCEDSTATUSCODES: false,
    socketTimeout: 60_000,
    closeTimeout: 30_000,

    onMailFrom(_address, session, callback) {
      limiter.allows(session.remoteAddress).then(
        (allowed) =>
          callback(allowed ? undefined : refusal(tryLater('Too many messages from your address in a short time.'))),
        (error: unknown) => callback(refusal(tryLater('The intake cannot take mail just now.', error))),
      );
    },

    onRcptTo(address, session, callback) {
      recipients.accept(address.address, session.envelope).then(
        () => callback(),
        (error: unknown) =>
          callback(
            refusal(error instanceof SmtpRefusal ? error : tryLater('The recipient could not be checked.', error)),
          ),
      );
    },

    onData(stream, session, callback) {
      let held = 0;
      readMessage(stream, mail.maxMessageBytes, budget, (bytes) => (held += bytes))
        .then(async (raw) => {
          if (raw === 'too-large')
            return callback(
              refusal(
                new SmtpRefusal(552, `The message is larger than ${mail.maxMessageBytes} bytes. Nothing was stored.`),
              ),
            );
          if (raw === 'busy') throw tryLater('The intake is busy with other large messages.');
          const outcome = await handle(deps, recipients.destination(session.envelope), raw, session);
          // Stored: a count that cannot be written costs only this one hit, never the 250.
          await limiter
            .count(session.remoteAddress)
            .catch((error: unknown) => deps.log.warn('an SMTP client could not be counted', { error }));
          callback(null, outcome);
        })
        .finally(() => {
          budget.used -= held;
        })
        .catch((error: unknown) => {
          const answer = error instanceof SmtpRefusal ? error : tryLater('The report could not be stored.', error);
          if (answer.temporary)
            deps.log.warn('e-mail report not stored yet (451)', {
              reason: answer.message.split('.')[0],
              cause: causeOf(answer),
            });
          else
            deps.log.info('e-mail report refused', { code: answer.responseCode, reason: answer.message.split('.')[0] });
          callback(refusal(answer));
        })
        // Whatever went wrong above (a callback on a connection already gone) ends here, never the process.
        .catch((error: unknown) => deps.log.error('SMTP intake could not answer a message', { error }));
    },
  });
  server.on('error', (error) => deps.log.error('SMTP intake error', { error }));

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => resolve((server.server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
      }),
  };
}

/** Hands the message to the processor; resolves with the 250 text once it is committed. */
async function handle(
  deps: SmtpIntakeDeps,
  destination: Destination,
  raw: Buffer,
  session: SMTPServerSession,
): Promise<string> {
  const recipients = session.envelope.rcptTo.map((r) => r.address.trim().toLowerCase());
  const { kind, replyToken } = destination;
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null;
  const stored = await deps.processor.receive({
    raw,
    kind,
    sender,
    recipients,
    tls: session.secure,
    receivedAt: new Date(),
    replyToken,
  });
  // After the commit, and not awaited: the 250 waits neither for the queue nor for the relay.
  const quietly = (what: string) => (error: unknown) => deps.log.error(what, { error });
  if (stored.threaded) {
    // The reporter's answer: its readers are told as for a follow-up message; no acknowledgement.
    deps.events?.messageAdded(stored.caseId, null).catch(quietly('the readers could not be told of an e-mail reply'));
    return `Your message was added to ${stored.reference}`;
  }
  deps.events
    ?.caseStored(stored.caseId, stored.readerIds)
    .catch(quietly('the readers could not be told of an e-mail report'));
  const acknowledgement = {
    reference: stored.reference,
    kind,
    intakeAddress: recipients[0]!,
    sender,
    headers: stored.headers,
    messageId: stored.messageId,
    receipt: stored.receipt!,
    replyAddress: stored.replyAddress,
    encrypted: stored.encryption !== 'none',
    senderKeys: stored.senderKeys,
  };
  deps.acknowledge?.(acknowledgement).catch(quietly('the acknowledgement failed'));
  return `Report received as ${stored.reference}`;
}

/**
 * The whole message in memory; 'too-large' above the size limit, 'busy' when the memory budget of
 * all messages arriving at once would be exceeded (the rest is drained either way).
 */
function readMessage(
  stream: SMTPServerDataStream,
  limit: number,
  budget: { limit: number; used: number },
  hold: (bytes: number) => void,
): Promise<Buffer | 'too-large' | 'busy'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let busy = false;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit || busy) return;
      if (budget.used + chunk.length > budget.limit) {
        busy = true;
        chunks.length = 0;
        return;
      }
      budget.used += chunk.length;
      hold(chunk.length);
      chunks.push(chunk);
    });
    stream.on('error', reject);
    stream.on('end', () => {
      if (stream.sizeExceeded || size > limit) resolve('too-large');
      else if (busy) resolve('busy');
      else resolve(Buffer.concat(chunks, size));
    });
  });
}

/**
 * smtp-server gives an application's 452 the enhanced code 4.2.2 ("mailbox full"); every 452 this
 * intake answers means "retry this recipient in a transaction of its own": RFC 3463's 4.5.3.
 */
class IntakeSmtpServer extends SMTPServer {
  override connect(...args: Parameters<SMTPServer['connect']>): void {
    super.connect(...args);
    const connection = [...this.connections].at(-1);
    if (!connection) return;
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) =>
      send(code, data, code === 452 && context === undefined ? 'TOO_MANY_RECIPIENTS' : context);
  }
}

function refusal(answer: SmtpRefusal): Error {
  return Object.assign(new Error(answer.message), { responseCode: answer.responseCode });
}

/** For the log: the kind of failure behind a 451, never message content. */
function causeOf(answer: SmtpRefusal): Record<string, unknown> | undefined {
  const cause = answer.cause as { name?: string; code?: string; message?: string } | undefined;
  return cause ? { name: cause.name, code: cause.code } : undefined;
}

/**
 * Messages stored per client address per window, counted in PostgreSQL for every instance (the
 * address only as a keyed hash, server/limits/shared-limits.ts). Fails closed: 451 at MAIL FROM.
 */
class ClientLimiter {
  private readonly limits: SharedLimits;
  constructor(
    db: Kysely<Database>,
    private readonly max: number,
    private readonly windowMs: number,
  ) {
    this.limits = sharedLimits(db);
  }

  async allows(client: string): Promise<boolean> {
    const count = await this.limits.current(SMTP_LIMITER, client);
    return (count?.hits ?? 0) < this.max;
  }

  async count(client: string): Promise<void> {
    await this.limits.hit(SMTP_LIMITER, client, this.windowMs);
  }
}

const SMTP_LIMITER = 'smtp-messages';
