// The OpenPGP checks of an encrypted submission (./submission-checks.ts) cost milliseconds of CPU
// each: parsing, and verifying the reporter key's signatures. In the request thread they hold up every
// other request meanwhile; here they run on one small pool of worker threads (./worker-pool.ts),
// and the keys and ciphertext cross between threads in memory only.
import { lazyPool } from './worker-pool';
import { unpackSubmissionCrypto, type SubmissionCryptoInput, type SubmissionCryptoResult } from './submission-checks';

let checksStarted = 0;

const pool = lazyPool('submission-check-worker.js', {
  maxThreads: 4,
  // Checks that wait beyond this many are refused at once: the client is told to try again shortly.
  maxQueue: 256,
  busy: (cause) => new ChecksBusyError({ cause }),
});

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
  checksStarted += 1;
  return unpackSubmissionCrypto((await pool.run(input)) as SubmissionCryptoResult);
}

/** The pool's threads that have run a check: shows that checks leave the event loop. */
export function submissionCheckThreads(): number[] {
  return pool.threadIds();
}

/** How many submissions were sent to the pool since the process started. */
export function submissionChecksStarted(): number {
  return checksStarted;
}
