// Unlocking a reporter key takes its S2K: Argon2 (64 MiB, 3 passes: most of a second) for a key the
// reporter's browser made. Run in the request thread, that second stalls every request of every
// channel; here it runs on a small pool of worker threads, and the receipt and the unlocked key
// cross between threads in memory only.
import { readPrivateKey, type PrivateKey } from 'openpgp';
import { DecryptionError } from './errors';
import { messageConfig } from './openpgp-config';
import { lazyPool } from './worker-pool';

let unlocksStarted = 0;

const pool = lazyPool('reporter-key-worker.js', {
  maxThreads: 2,
  // Unlocks that wait beyond this many are refused at once (each running one holds 64 MiB).
  maxQueue: 32,
  busy: (cause) => new UnlockBusyError({ cause }),
});

/** Raised when more unlocks wait than the pool takes: the caller should ask to try again shortly. */
export class UnlockBusyError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('Too many receipts are being checked right now.', options);
    this.name = 'UnlockBusyError';
  }
}

/**
 * Unlocks the reporter's private key with the receipt off the event loop; a wrong receipt throws
 * DecryptionError, exactly as unlockReporterKey does.
 */
export async function unlockReporterKeyOffThread(lockedPrivateKey: string, receipt: string): Promise<PrivateKey> {
  unlocksStarted += 1;
  const packets = (await pool.run({ lockedPrivateKey, receipt })) as Uint8Array | null;
  if (packets === null) throw new DecryptionError('The receipt does not unlock this key.');
  // Not zeroed afterwards: the key's packets are views of these bytes.
  return readPrivateKey({ binaryKey: packets, config: messageConfig });
}

/** How many unlocks were asked for since the process started: shows that a wrong receipt asks for none. */
export function reporterKeyUnlocksStarted(): number {
  return unlocksStarted;
}
