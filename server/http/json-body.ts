import { isUtf8 } from 'node:buffer';
import type { Request, Response } from 'express';
import { DomainError, badInput, tooLarge } from '../errors';
import { describeSize } from '../report-form';
import { ServerBusyError, admitUpload, closeAfterAnswer, declaredLength, type Refusal, type UploadBudget } from './upload-budget';

/**
 * Reads a JSON body within the upload budget, called only after every check that needs no body
 * (rate limit, session, CSRF header). Refused before reading when its Content-Length is over
 * `maxBytes` or does not fit the budget; a chunked body is counted as it arrives. A declared body is
 * read into one buffer of its size (express.json would hold it twice, then once more as text).
 */
export async function readJsonBody(req: Request, res: Response, options: { budget: UploadBudget; maxBytes: number }): Promise<unknown> {
  if (!req.is('application/json')) throw badInput('Send the body as application/json.');
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') throw badInput('Compressed request bodies are not accepted.');
  const refuse = (why: Refusal) => {
    closeAfterAnswer(res);
    return why === 'busy' ? new ServerBusyError() : tooLarge(`The request is larger than ${describeSize(options.maxBytes)}, the most this server accepts here.`);
  };
  const admission = admitUpload(options.budget, req, res, { maxBytes: options.maxBytes });
  if ('refused' in admission) throw refuse(admission.refused);

  const declared = declaredLength(req);
  const whole = declared === null ? null : Buffer.allocUnsafe(declared);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      const verdict = admission.reservation.accept(chunk.length);
      if (verdict !== 'ok') throw refuse(verdict);
      if (whole) chunk.copy(whole, length);
      else chunks.push(chunk);
      length += chunk.length;
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw badInput('The request was cut off before its end. Please send it again.', error);
  }
  const body = whole ? whole.subarray(0, length) : Buffer.concat(chunks, length);
  if (body.length === 0) return undefined;
  if (!isUtf8(body)) throw badInput('The request body is not valid UTF-8.');
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (cause) {
    throw badInput('The request body is not valid JSON.', cause);
  }
}
