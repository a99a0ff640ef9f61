// Where received messages are opened, re-encrypted and stored: a few worker threads (decryption,
// MIME parsing and encryption are CPU work, and the SMTP conversation must not wait behind them),
// or this thread when SMTP_WORKERS=0. Each worker has its own database pool and unlocks the intake
// keys itself; messages and results cross as plain values, in memory only.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config';
import type { Logger } from '../log';
import { receiveMail, type ReceivedMail, type ReceiveMailDeps, type StoredMailReport } from './receive-mail';
import { SmtpRefusal, tryLater } from './refusal';

export interface MailProcessor {
  receive(mail: ReceivedMail): Promise<StoredMailReport>;
  /** Reloads the intake keys everywhere now (rather than within 30 s). */
  refreshKeys(): Promise<void>;
  close(): Promise<void>;
}

/** What a worker needs to stand up: the config as plain data, the database, the unlocked passphrase. */
export interface WorkerInit {
  config: Config;
  databaseUrl: string;
  passphrase: string;
}

/** Wire form of a refusal (an SmtpRefusal cannot cross threads as itself). */
export interface RefusalMessage {
  responseCode: number;
  message: string;
  cause?: { name?: string; code?: string };
}

export function inThisThread(deps: ReceiveMailDeps): MailProcessor {
  return {
    receive: (mail) => receiveMail(deps, mail),
    refreshKeys: () => deps.keyring.refresh(true),
    close: async () => undefined,
  };
}

const BOOTSTRAP = path.join(__dirname, 'intake-worker-thread.js');

export async function startIntakeWorkers(options: {
  size: number;
  init: WorkerInit;
  log: Logger;
}): Promise<MailProcessor> {
  // The frozen config holds a function (the passphrase source); as data it is plain JSON.
  const init: WorkerInit = { ...options.init, config: JSON.parse(JSON.stringify(options.init.config)) as Config };
  let nextId = 1;
  let closing = false;

  interface Slot {
    worker: Worker;
    ready: boolean;
    pending: Map<number, { resolve: (r: StoredMailReport) => void; reject: (e: unknown) => void }>;
  }
  const slots: Slot[] = [];

  const spawn = (): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const slot: Slot = { worker: new Worker(BOOTSTRAP, { workerData: init }), ready: false, pending: new Map() };
      const failAll = (why: string) => {
        for (const { reject: fail } of slot.pending.values()) fail(tryLater(why));
        slot.pending.clear();
      };
      slot.worker.on('message', (message: WorkerReply) => {
        if (message.type === 'ready') {
          slot.ready = true;
          return resolve(slot);
        }
        if (message.type === 'init-error')
          return reject(new Error(`an SMTP intake worker could not start: ${message.message}`));
        if (message.type === 'log') return options.log[message.level](message.message, message.fields);
        if (message.type === 'refreshed') {
          slot.pending.get(message.id)?.resolve(undefined as never);
          slot.pending.delete(message.id);
          return;
        }
        const waiting = slot.pending.get(message.id);
        if (!waiting) return;
        slot.pending.delete(message.id);
        if (message.ok) waiting.resolve(message.report);
        else
          waiting.reject(
            new SmtpRefusal(message.refusal.responseCode, message.refusal.message, { cause: message.refusal.cause }),
          );
      });
      slot.worker.on('error', (error) => options.log.error('SMTP intake worker failed', { error }));
      slot.worker.on('exit', (code) => {
        failAll('The report could not be processed.');
        const index = slots.indexOf(slot);
        if (index >= 0) slots.splice(index, 1);
        if (!slot.ready) return reject(new Error(`an SMTP intake worker stopped while starting (exit code ${code})`));
        if (closing) return;
        // A worker that was serving died (a bug, memory): replace it, after a pause so that a fault cannot spin.
        options.log.error('SMTP intake worker stopped; starting another', { code });
        setTimeout(() => {
          if (!closing)
            spawn().then(
              (fresh) => slots.push(fresh),
              (error) => options.log.error('SMTP intake worker could not be restarted', { error }),
            );
        }, 1000).unref();
      });
    });

  const started = await Promise.allSettled(Array.from({ length: options.size }, spawn));
  for (const result of started) if (result.status === 'fulfilled') slots.push(result.value);
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    closing = true;
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    throw failed.reason;
  }

  return {
    receive: (mail) =>
      new Promise((resolve, reject) => {
        const slot = slots.reduce<Slot | undefined>(
          (best, s) => (!best || s.pending.size < best.pending.size ? s : best),
          undefined,
        );
        if (!slot) return reject(tryLater('The intake is restarting.'));
        const id = nextId++;
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ type: 'receive', id, mail });
      }),
    refreshKeys: async () => {
      await Promise.all(
        slots.map(
          (slot) =>
            new Promise<unknown>((resolve, reject) => {
              const id = nextId++;
              slot.pending.set(id, { resolve, reject });
              slot.worker.postMessage({ type: 'refresh', id });
            }),
        ),
      );
    },
    close: async () => {
      closing = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | { type: 'refreshed'; id: number }
  | { type: 'result'; id: number; ok: true; report: StoredMailReport }
  | { type: 'result'; id: number; ok: false; refusal: RefusalMessage };
