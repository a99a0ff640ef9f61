// One way to make the small worker pools that take OpenPGP work off the event loop: made on first
// use, leaving one core to the event loop (HTTP, the database driver), shrinking to nothing when
// idle, and refusing work at once, with the caller's own error, when too much already waits.
import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';

export interface LazyPool {
  /** Runs one task; throws `busy()` when more than maxQueue tasks wait. */
  run(task: unknown): Promise<unknown>;
  /** The ids of the pool's threads so far (none before the first task). */
  threadIds(): number[];
}

export function lazyPool(
  workerFile: string,
  options: { maxThreads: number; maxQueue: number; busy: (cause: unknown) => Error },
): LazyPool {
  let pool: Piscina | undefined;
  const started = () =>
    (pool ??= new Piscina({
      filename: path.join(__dirname, workerFile),
      maxThreads: Math.max(1, Math.min(options.maxThreads, os.availableParallelism() - 1)),
      minThreads: 0,
      idleTimeout: 30_000,
      maxQueue: options.maxQueue,
    }));
  return {
    async run(task) {
      try {
        return await started().run(task);
      } catch (cause) {
        if (cause instanceof Error && /queue is at limit/i.test(cause.message)) throw options.busy(cause);
        throw cause;
      }
    },
    threadIds: () => (pool ? pool.threads.map((thread) => thread.threadId) : []),
  };
}
