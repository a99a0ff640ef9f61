import busboy from 'busboy';
import type { Request } from 'express';
import { MAX_FIELD_CHARS } from '../intake/report-form';
import { badInput } from '../errors';
import { safeAttachmentName } from '../intake/attachment-name';
import type { Refusal, UploadReservation } from './upload-budget';

export interface ParsedForm {
  /** By field name, with no prototype: a field may be called "constructor" or "__proto__". */
  fields: Record<string, string[]>;
  files: { filename: string; data: Uint8Array }[];
  /** Files that were over the size limit, over the count, or not taken because the server was busy: named, their bytes dropped. */
  refusedFiles: { filename: string; reason: 'too-large' | 'too-many' | 'busy' }[];
  /** Every file part with a name, kept or not; `filesLimitReached` when there were more than could be counted. */
  filesSeen: number;
  filesLimitReached: boolean;
  /** Reading stopped before the end of the body (over the size limit, or out of budget): the fields read so far are kept. */
  cutOff: Refusal | null;
}

export interface FormLimits {
  maxFileBytes: number;
  maxFiles: number;
  /** The whole body: reading stops beyond it. */
  maxBytes: number;
  /** This request's share of the upload budget (upload-budget.ts); every byte kept is counted against it. */
  reservation: UploadReservation;
  /** No room for files: the text fields are read and kept, every file is discarded as it streams past. */
  textOnly?: boolean;
}

// Beyond the allowed files, how many more are counted (and discarded) so that the reporter is told how many there were.
const EXTRA_FILES_COUNTED = 50;

/**
 * Parses an urlencoded or multipart form in memory (never on disk), within the upload budget. An
 * attachment over the limit is dropped and named, while every text field is still read, so that the
 * page can come back with the reporter's text intact.
 */
export function parseForm(req: Request, limits: FormLimits): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    const result: ParsedForm = {
      fields: Object.create(null) as Record<string, string[]>,
      files: [],
      refusedFiles: [],
      filesSeen: 0,
      filesLimitReached: false,
      cutOff: null,
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: {
          fileSize: limits.maxFileBytes,
          files: limits.maxFiles + EXTRA_FILES_COUNTED,
          fields: 100,
          fieldSize: MAX_FIELD_CHARS * 4,
          parts: 200,
        },
        defParamCharset: 'utf8',
      });
    } catch (cause) {
      reject(badInput('The form could not be read (unexpected content type).', cause));
      return;
    }
    // A listener that throws fails this form, never the process; the rest of the body is drained.
    const emit = parser.emit;
    parser.emit = function guardedEmit(this: busboy.Busboy, ...args: Parameters<busboy.Busboy['emit']>) {
      try {
        return emit.apply(this, args);
      } catch (error) {
        req.unpipe(parser);
        req.resume();
        reject(error);
        return true;
      }
    } as busboy.Busboy['emit'];
    req.once('error', (cause) =>
      reject(badInput('The form could not be read; it may have been cut off. Please send it again.', cause)),
    );

    let stopped = false;
    const stop = (why: Refusal) => {
      if (stopped) return;
      stopped = true;
      result.cutOff = why;
      req.off('data', onData);
      resolve(result);
    };
    const keep = (bytes: number) => {
      const verdict = limits.reservation.accept(bytes);
      if (verdict !== 'ok') stop(verdict);
      return verdict === 'ok';
    };

    parser.on('field', (name, value) => {
      (result.fields[name] ??= []).push(value);
    });
    if (limits.textOnly) parser.on('field', (_name, value) => keep(Buffer.byteLength(value)));
    parser.on('file', (_name, stream, info) => {
      const filename = safeAttachmentName(info.filename);
      if (!info.filename) {
        stream.resume(); // an empty file input
        return;
      }
      result.filesSeen += 1;
      if (limits.textOnly || result.filesSeen > limits.maxFiles) {
        result.refusedFiles.push({ filename, reason: limits.textOnly ? 'busy' : 'too-many' });
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        chunks.length = 0;
        result.refusedFiles.push({ filename, reason: 'too-large' });
      });
      stream.on('end', () => {
        if (!(stream as { truncated?: boolean }).truncated)
          result.files.push({ filename, data: new Uint8Array(Buffer.concat(chunks)) });
      });
    });
    parser.on('filesLimit', () => {
      result.filesLimitReached = true;
    });
    parser.on('error', (cause) => {
      if (!stopped)
        reject(badInput('The form could not be read; it may have been cut off. Please send it again.', cause));
    });
    parser.on('close', () => resolve(result));

    // Fed by hand rather than piped: every byte is counted before busboy sees it.
    let read = 0;
    function onData(chunk: Buffer) {
      read += chunk.length;
      if (read > limits.maxBytes) return stop('too-large');
      if (!limits.textOnly && !keep(chunk.length)) return;
      if (!parser.write(chunk)) {
        req.pause();
        parser.once('drain', () => req.resume());
      }
    }
    req.on('data', onData);
    let ended = false;
    req.on('end', () => {
      ended = true;
      if (!stopped) parser.end();
    });
    const cutOff = (cause?: unknown) => {
      if (!stopped && !ended)
        reject(badInput('The form could not be read; it was cut off. Please send it again.', cause));
    };
    req.on('error', cutOff);
    req.on('close', () => cutOff());
  });
}
