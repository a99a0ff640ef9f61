// Names chosen by a client (form fields, cookies) are kept in objects without a prototype, so that a
// field called "constructor", "toString" or "__proto__" is an unknown field like any other and never
// reaches, shadows or replaces a member of Object.prototype.
import express, { type RequestHandler } from 'express';

/** An object with no prototype holding these entries as own properties, whatever their names. */
export function withoutPrototype<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const object = Object.create(null) as Record<string, T>;
  for (const [name, value] of entries) object[name] = value;
  return object;
}

/** A urlencoded body parser (one level, no nesting) whose `req.body` has no prototype. */
export function urlencodedForm(options: { limit: string; parameterLimit?: number }): RequestHandler {
  const parse = express.urlencoded({ extended: false, ...options });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (req.body !== null && typeof req.body === 'object')
        req.body = withoutPrototype(Object.entries(req.body as object));
      next();
    });
}

/**
 * After cookie-parser: the cookies as strings in an object without a prototype. cookie-parser turns
 * a value starting with "j:" into whatever JSON it holds; no cookie of ours is JSON, and code that
 * reads a cookie (csrf-csrf's among it) expects a string.
 */
export const stringCookies: RequestHandler = (req, _res, next) => {
  const cookies = (req.cookies ?? {}) as Record<string, unknown>;
  req.cookies = withoutPrototype(
    Object.entries(cookies).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  next();
};
