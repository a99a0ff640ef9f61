// The OpenPGP checks of an encrypted submission (./submission-checks.ts) cost milliseconds of CPU
// each: parsing, and verifying the reporter key's signatures. In the request thread they hold up every
// other request meanwhile; here they run on one small pool of worker threads (the pattern of
// ./reporter-key-pool.ts), and the keys and ciphertext cross between threads in memory only.
import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { unpackSubmissionCrypto, type SubmissionCryptoInput, type SubmissionCryptoResult } from './submission-checks';

/** Checks that wait beyond this many are refused at once: the client is told to try again shortly. */
const MAX_WAITING = 256;

let pool: Piscina | undefined;
let checksStarted = 0;

function checkPool(): Piscina {
  pool ??= new Piscina({
    filename: path.join(__dirname, 'submission-check-worker.js'),
    // One core stays with the event loop (HTTP, the database driver).
    maxThreads: Math.max(1, Math.min(4, os.availableParallelism() - 1)),
    minThreads: 0,
    idleTimeout: 30_000,
    maxQueue: MAX_WAITING,
  });
  return pool;
}

/** Raised when more checks wait than the pool takes. */
export class ChecksBusyError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('Too many submissions are being checked right now.', options);
    this.name = 'ChecksBusyError';
  }
}

/**
 * The reporter key and every message checked off the event loop: resolves with the reporter's
 * fingerprint and key IDs and the split messages, or throws what the checks throw in this thread.
 */
export async function checkSubmissionOffThread(input: SubmissionCryptoInput) {
  let result: SubmissionCryptoResult;
  checksStarted += 1;
  try {
    result = (await checkPool().run(input)) as SubmissionCryptoResult;
  } catch (cause) {
    if (cause instanceof Error && /queue is at limit/i.test(cause.message)) throw new ChecksBusyError({ cause });
    throw cause;
  }
  return unpackSubmissionCrypto(result);
}

/** The pool's threads that have run a check: shows that checks leave the event loop. */
export function submissionCheckThreads(): number[] {
  return pool ? pool.threads.map((thread) => thread.threadId) : [];
}

/** How many submissions were sent to the pool since the process started. */
export function submissionChecksStarted(): number {
  return checksStarted;
}
