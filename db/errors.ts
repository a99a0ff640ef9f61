// What a database error means, decided here so that no SQLSTATE code leaves db/.

/** SQLSTATE class 57P: the server is stopping (admin shutdown, crash shutdown, cannot connect now). */
const SHUTTING_DOWN = new Set(['57P01', '57P02', '57P03']);

/**
 * True when PostgreSQL is shutting down or restarting: expected while the app itself stops (Ctrl-C
 * reaches the embedded PostgreSQL too), and retried by whoever owns the connection otherwise.
 */
export function isDatabaseShuttingDown(error: unknown): boolean {
  return SHUTTING_DOWN.has((error as { code?: string } | null)?.code ?? '');
}
