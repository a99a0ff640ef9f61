// The last line of defence for one request: an exception thrown where express cannot see it (a
// listener on the request stream, a timer, a promise nobody awaits) fails that request alone, and the
// process keeps serving everyone else. Start-up errors, outside any request, still end the process.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../log';
import { loggableError, routeLabel } from './error-handler';

interface RequestScope {
  req: Request;
  res: Response;
}

const scopes = new AsyncLocalStorage<RequestScope>();

const FAILED = 'Something went wrong on our side. Nothing you sent was stored; please try again in a little while.';

/**
 * First middleware of the app: runs the rest of the request in a scope the process guard can find,
 * and catches exceptions of listeners on the request stream (busboy's, body parsers'), which Node
 * would otherwise raise as uncaught.
 */
export function requestGuard(log: Logger): RequestHandler {
  return (req, res, next) => {
    const emit = req.emit;
    req.emit = function guardedEmit(this: Request, ...args: Parameters<Request['emit']>) {
      try {
        return emit.apply(this, args);
      } catch (error) {
        failRequest({ req, res }, error, log);
        return true;
      }
    } as Request['emit'];
    scopes.run({ req, res }, next);
  };
}

/** Answers 500 (if nothing was sent yet) and drops the connection: its stream may be in any state. */
function failRequest(scope: RequestScope, error: unknown, log: Logger): void {
  const { req, res } = scope;
  log.error('request failed outside its handler', {
    method: req.method,
    route: routeLabel(req),
    error: loggableError(error),
  });
  if (!res.headersSent) {
    res.status(500).set('Connection', 'close');
    if (req.path.startsWith('/api/')) res.json({ error: FAILED });
    else res.type('text/plain; charset=utf-8').send(`${FAILED}\n`);
  }
  req.unpipe();
  res.once('finish', () => req.destroy());
  if (res.writableFinished) req.destroy();
}

/**
 * Installs the process-wide handlers once the app is wired: an uncaught exception or unhandled
 * rejection inside a request fails that request; one outside any request is a bug of ours and ends
 * the process (with `exit`, so that a supervisor restarts it), as Node would.
 */
export function guardProcess(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  const onError = (kind: string) => (error: unknown) => {
    const scope = scopes.getStore();
    if (scope) return failRequest(scope, error, log);
    log.error(`${kind} outside any request; stopping`, { error: loggableError(error) });
    exit(1);
  };
  process.on('uncaughtException', onError('uncaught exception'));
  process.on('unhandledRejection', onError('unhandled rejection'));
}
