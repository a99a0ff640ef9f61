/**
 * The process log: one JSON line per event on stderr. Callers pass only what is safe to keep:
 * never request bodies, receipts, keys, passwords, client addresses or database URLs.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const emit = (level: string, message: string, fields: Record<string, unknown> = {}) => {
    const safe = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? describeError(v) : v]),
    );
    write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...safe })}\n`);
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}

/** An error's name, message and code; the stack stays out of the log, as does any attached data. */
function describeError(error: Error): Record<string, unknown> {
  return {
    name: error.name,
    message: error.message.replace(/postgres(ql)?:\/\/[^\s]+/g, 'postgres://…'),
    code: (error as { code?: string }).code,
  };
}
