import { isUtf8 } from 'node:buffer';
import type { Request, Response } from 'express';
import { badInput, tooLarge } from '../errors';
import { describeSize } from '../intake/report-form';
import {
  ServerBusyError,
  admitUpload,
  declaredLength,
  dropRestAfterAnswer,
  type Refusal,
  type UploadBudget,
} from './upload-budget';

/**
 * Reads a JSON body within the upload budget, called only after every check that needs no body
 * (rate limit, session, CSRF header). Refused before reading when its Content-Length is over
 * `maxBytes` or does not fit the budget; a chunked body is counted as it arrives. A declared body is
 * read into one buffer of its size (express.json would hold it twice, then once more as text).
 */
export async function readJsonBody(
  req: Request,
  res: Response,
  options: { budget: UploadBudget; maxBytes: number },
): Promise<unknown> {
  // The bytes are out of reach once they are text, so that they can be collected while JSON.parse runs.
  const text = await readBodyText(req, res, options);
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw badInput('The request body is not valid JSON.', cause);
  }
}

async function readBodyText(
  req: Request,
  res: Response,
  options: { budget: UploadBudget; maxBytes: number },
): Promise<string> {
  if (!req.is('application/json')) throw badInput('Send the body as application/json.');
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') throw badInput('Compressed request bodies are not accepted.');
  const refuse = (why: Refusal) => {
    dropRestAfterAnswer(req, res);
    return why === 'busy'
      ? new ServerBusyError()
      : tooLarge(`The request is larger than ${describeSize(options.maxBytes)}, the most this server accepts here.`);
  };
  const admission = admitUpload(options.budget, req, res, { maxBytes: options.maxBytes });
  if ('refused' in admission) throw refuse(admission.refused);

  const declared = declaredLength(req);
  const whole = declared === null ? null : Buffer.allocUnsafe(declared);
  const chunks: Buffer[] = [];
  let length = 0;
  // Listeners rather than for-await: leaving a for-await early would destroy the socket under the answer.
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      const verdict = admission.reservation.accept(chunk.length);
      if (verdict !== 'ok') {
        req.off('data', onData);
        return reject(refuse(verdict));
      }
      if (whole) chunk.copy(whole, length);
      else chunks.push(chunk);
      length += chunk.length;
    };
    req.on('data', onData);
    // 'close' follows every request, whole ones too: the refusal (an Error, whose stack costs) only when the body was cut.
    let ended = false;
    req.once('end', () => {
      ended = true;
      resolve();
    });
    req.once('error', (cause) =>
      reject(badInput('The request was cut off before its end. Please send it again.', cause)),
    );
    req.once('close', () => {
      if (!ended) reject(badInput('The request was cut off before its end. Please send it again.'));
    });
  });
  const body = whole ? whole.subarray(0, length) : Buffer.concat(chunks, length);
  if (!isUtf8(body)) throw badInput('The request body is not valid UTF-8.');
  return body.toString('utf8');
}
