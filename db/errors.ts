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

/** SQLSTATE classes 08 (connection), 57P (shutdown) and 53 (insufficient resources): try again later. */
const UNAVAILABLE_CLASSES = /^(08|57P|53)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

/** True for errors that mean the database cannot be reached or is shutting down: nothing was stored, try again later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  const message = (error as Error | null)?.message ?? '';
  return UNAVAILABLE_CLASSES.test(code) || NETWORK_CODES.has(code) || UNAVAILABLE_MESSAGES.test(message);
}
