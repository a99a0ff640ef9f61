import busboy from 'busboy';
import type { Request } from 'express';
import { MAX_FIELD_CHARS } from '../report-form';
import { badInput } from '../errors';

export interface ParsedForm {
  /** By field name, with no prototype: a field may be called "constructor" or "__proto__". */
  fields: Record<string, string[]>;
  files: { filename: string; data: Uint8Array }[];
  /** Files that were over the size limit (or over the count): named, their bytes dropped. */
  refusedFiles: { filename: string; reason: 'too-large' | 'too-many' }[];
}

/**
 * Parses an urlencoded or multipart form in memory (never on disk). An attachment over the limit is
 * dropped and named, while every text field is still read, so that the page can come back with the
 * reporter's text intact.
 */
export function parseForm(req: Request, limits: { maxFileBytes: number; maxFiles: number }): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    const result: ParsedForm = { fields: Object.create(null) as Record<string, string[]>, files: [], refusedFiles: [] };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles + 1, fields: 100, fieldSize: MAX_FIELD_CHARS * 4, parts: 200 },
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
    req.once('error', (cause) => reject(badInput('The form could not be read; it may have been cut off. Please send it again.', cause)));

    parser.on('field', (name, value) => {
      (result.fields[name] ??= []).push(value);
    });
    parser.on('file', (_name, stream, info) => {
      const filename = safeFilename(info.filename);
      if (!info.filename) {
        stream.resume(); // an empty file input
        return;
      }
      if (result.files.length >= limits.maxFiles) {
        result.refusedFiles.push({ filename, reason: 'too-many' });
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
        if (!(stream as { truncated?: boolean }).truncated) result.files.push({ filename, data: new Uint8Array(Buffer.concat(chunks)) });
      });
    });
    parser.on('filesLimit', () => undefined);
    parser.on('error', (cause) => reject(badInput('The form could not be read; it may have been cut off. Please send it again.', cause)));
    parser.on('close', () => resolve(result));
    req.pipe(parser);
  });
}

/** The base name only, without control characters: it is shown back and carried inside the encrypted message. */
export function safeFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean || 'attachment';
}
