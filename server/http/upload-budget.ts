import type { Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { DomainError } from '../errors';

/** What a refused client is asked to wait: long enough for an upload in flight to finish on a good link. */
export const BUSY_RETRY_AFTER_SECONDS = 30;

/** The upload budget is spent: a 503 with Retry-After (error-handler.ts). */
export class ServerBusyError extends DomainError {
  readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS;
  constructor(
    message = `The server is receiving many large reports just now, so yours was not taken. Nothing was stored; please send it again in ${BUSY_RETRY_AFTER_SECONDS} seconds.`,
  ) {
    super('busy', message);
    this.name = 'ServerBusyError';
  }
}

/**
 * Bytes of request bodies held in memory at once, over all uploads and per client, so that a few
 * large posts cannot exhaust the machine. Counts only; kept in this process's memory.
 */
export class UploadBudget {
  #inFlight = 0;
  readonly #perClient = new Map<string, number>();

  constructor(readonly limits: { readonly totalBytes: number; readonly perClientBytes: number }) {}

  get bytesInFlight(): number {
    return this.#inFlight;
  }

  /** Takes `bytes` for `client` when both the whole budget and the client's cap still hold them. */
  tryTake(client: string, bytes: number): boolean {
    const mine = this.#perClient.get(client) ?? 0;
    if (this.#inFlight + bytes > this.limits.totalBytes || mine + bytes > this.limits.perClientBytes) return false;
    this.#inFlight += bytes;
    this.#perClient.set(client, mine + bytes);
    return true;
  }

  give(client: string, bytes: number): void {
    this.#inFlight -= bytes;
    const left = (this.#perClient.get(client) ?? 0) - bytes;
    if (left > 0) this.#perClient.set(client, left);
    else this.#perClient.delete(client);
  }
}

export type Refusal = 'too-large' | 'busy';

/**
 * One request's share of the budget: its declared length, taken before the body is read, and grown
 * while a body without Content-Length streams in. Given back when the response ends.
 */
export class UploadReservation {
  #reserved: number;
  #held = 0;
  #released = false;

  constructor(
    private readonly budget: UploadBudget,
    private readonly client: string,
    reserved: number,
    private readonly maxBytes: number,
  ) {
    this.#reserved = reserved;
  }

  /** Called as bytes are kept: 'ok', or why the request must stop here. */
  accept(bytes: number): 'ok' | Refusal {
    this.#held += bytes;
    if (this.#held > this.maxBytes) return 'too-large';
    if (this.#held <= this.#reserved) return 'ok';
    const more = this.#held - this.#reserved;
    if (this.#released || !this.budget.tryTake(this.client, more)) return 'busy';
    this.#reserved += more;
    return 'ok';
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.budget.give(this.client, this.#reserved);
  }
}

/** The Content-Length a request declares, or null for a chunked body. */
export function declaredLength(req: Request): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined) return null;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * Admits a request body before a byte of it is read: refused when its declared length is over
 * `maxBytes` or does not fit the budget; otherwise `min(declared, reserve)` is reserved until the
 * response ends. `reserve` is for callers that keep only part of what they read.
 */
export function admitUpload(
  budget: UploadBudget,
  req: Request,
  res: Response,
  options: { maxBytes: number; reserve?: number },
): { reservation: UploadReservation } | { refused: Refusal } {
  const declared = declaredLength(req);
  if (declared !== null && declared > options.maxBytes) return { refused: 'too-large' };
  const client = ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
  const wanted = Math.min(declared ?? 0, options.reserve ?? Infinity);
  if (!budget.tryTake(client, wanted)) return { refused: 'busy' };
  const reservation = new UploadReservation(budget, client, wanted, options.maxBytes);
  // 'finish' comes before the client reads the answer, so that a client told to retry finds room.
  res.once('finish', () => reservation.release());
  res.once('close', () => reservation.release());
  return { reservation };
}

// How long the rest of a refused body is received (and dropped) before the connection is cut.
const LINGER_MS = 60_000;

/**
 * For an answer given while (part of) the body is unread: the rest is received and dropped, never
 * kept, so that the client, still sending, reads the answer (closing at once would reset the
 * connection under it, and it would see only a network error); a client still sending after a
 * minute is cut off.
 */
export function dropRestAfterAnswer(req: Request, res: Response): void {
  res.once('finish', () => {
    if (req.complete) return;
    req.resume();
    const timer = setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
    req.once('end', () => clearTimeout(timer));
    req.socket.once('close', () => clearTimeout(timer));
  });
}
