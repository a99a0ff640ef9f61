// One SMTP intake worker thread: opens, re-encrypts and stores the messages the main thread hands
// it (receive-mail.ts), with its own database pool and its own unlocked intake keys.
import { parentPort, workerData } from 'node:worker_threads';
import { createKysely } from '../../db/connect';
import { isDatabaseShuttingDown } from '../../db/errors';
import { IntakeKeyring } from '../intake-key/keyring';
import type { Logger } from '../log';
import { receiveMail } from './receive-mail';
import type { WorkerInit, WorkerReply } from './intake-workers';
import { SmtpRefusal, tryLater } from './refusal';

const port = parentPort!;
const post = (reply: WorkerReply) => port.postMessage(reply);
// Only failures are worth a line from a worker; the main thread logs the rest once.
const log: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: (message, fields) => post({ type: 'log', level: 'error', message, fields: plain(fields) }),
};

async function start(): Promise<void> {
  const init = workerData as WorkerInit;
  const db = createKysely(init.databaseUrl, 4);
  const keyring = await IntakeKeyring.open({ db, config: init.config, passphrase: init.passphrase, log });
  const deps = { db, config: init.config, keyring };
  port.on(
    'message',
    async (
      message:
        { type: 'receive'; id: number; mail: Parameters<typeof receiveMail>[1] } | { type: 'refresh'; id: number },
    ) => {
      if (message.type === 'refresh') {
        await keyring.refresh(true).catch((error: unknown) => {
          // Stopping with the app (Ctrl-C reaches PostgreSQL too) is no fault; the stored keys serve meanwhile.
          if (isDatabaseShuttingDown(error)) log.info('intake keys not reloaded: the database is shutting down');
          else log.error('intake keys could not be reloaded', { error });
        });
        return post({ type: 'refreshed', id: message.id });
      }
      try {
        const mail = {
          ...message.mail,
          raw: Buffer.from(message.mail.raw.buffer, message.mail.raw.byteOffset, message.mail.raw.byteLength),
        };
        post({ type: 'result', id: message.id, ok: true, report: await receiveMail(deps, mail) });
      } catch (error) {
        const refusal = error instanceof SmtpRefusal ? error : tryLater('The report could not be stored.', error);
        const cause = refusal.cause as { name?: string; code?: string } | undefined;
        post({
          type: 'result',
          id: message.id,
          ok: false,
          refusal: {
            responseCode: refusal.responseCode,
            message: refusal.message,
            cause: cause ? { name: cause.name, code: cause.code } : undefined,
          },
        });
      }
    },
  );
  post({ type: 'ready' });
}

/** Log fields as plain data: an Error becomes its name, message and code (the log strips the rest). */
function plain(fields?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [
      k,
      v instanceof Error ? { name: v.name, message: v.message, code: (v as { code?: string }).code } : v,
    ]),
  );
}

start().catch((error: unknown) => post({ type: 'init-error', message: (error as Error).message }));
