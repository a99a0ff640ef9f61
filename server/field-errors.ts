// A refusal that belongs to one field of a form: the page shows it beside that field and keeps
// what was typed, instead of leaving for an error page.
import { DomainError } from './errors';

export class FieldError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('bad-input', message, options);
    this.name = 'FieldError';
  }
}

export const badField = (field: string, message: string, cause?: unknown) => new FieldError(field, message, { cause });

/** Runs a check and files its bad-input refusal under `field` (a refusal already filed keeps its field). */
export function onField<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'bad-input' && !(error instanceof FieldError))
      throw badField(field, error.message, error);
    throw error;
  }
}
