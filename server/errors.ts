/**
 * Errors the workflow functions throw; the one error middleware maps `kind` to an HTTP status and
 * the CLI to an exit code. Their messages are written for the person who caused them.
 */
export type DomainErrorKind =
  | 'bad-input'
  | 'not-found'
  | 'forbidden'
  | 'conflict'
  | 'not-configured'
  | 'too-large'
  | 'rate-limited'
  | 'unauthenticated'
  | 'busy';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, cause?: unknown) => new DomainError('bad-input', message, { cause });
export const notFound = (message: string) => new DomainError('not-found', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const notConfigured = (message: string) => new DomainError('not-configured', message);
export const tooLarge = (message: string) => new DomainError('too-large', message);
