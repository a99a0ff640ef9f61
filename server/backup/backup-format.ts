// The backup file, format 1: gzip over lines, written and read in one pass, so that a database of
// any size streams through in constant memory.
//
//   intake-backup 1                          what this is, and the format version
//   {header}                                 JSON: app version, PostgreSQL version, migrations, tables, sequences
//   table {"schema":"public","name":"cases"} then the table's rows, COPY text format (one row a line) …
//   \.                                       … ended as pg_dump ends them: COPY text escapes every backslash
//   end {"rows":12,"sha256":"…"}             of the table's data, checked on restore before anything commits
//   done {trailer}                           every table's count and hash, and the SHA-256 of all lines above
//
// Line-framed rather than tar: a tar entry needs its size before its bytes, i.e. each table spooled
// to disk first; COPY text rather than binary: readable with zcat, and loadable by any later PostgreSQL.
import crypto from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { badInput } from '../errors';

export const FORMAT_MAGIC = 'intake-backup';
export const FORMAT_VERSION = 1;
const END_OF_DATA = Buffer.from('\\.\n');
const NEWLINE = 0x0a;
const MAX_FRAMING_LINE = 16 * 1024 * 1024;

export interface BackupHeader {
  format: number;
  app: { name: string; version: string };
  createdAt: string;
  postgresVersion: string;
  /** The kysely migrations the database had, oldest first: the schema level of the data. */
  migrations: string[];
  /** pg-boss's schema version (its tables hold the pending mail), null when it never ran. */
  pgbossSchemaVersion: number | null;
  tables: { schema: string; name: string; columns: string[] }[];
  sequences: { schema: string; name: string; lastValue: string; isCalled: boolean }[];
}

export interface TableSummary {
  schema: string;
  name: string;
  rows: number;
  sha256: string;
}

export interface BackupTrailer {
  tables: TableSummary[];
  rows: number;
  /** Of every byte before the trailer's line, uncompressed. */
  sha256: string;
}

/** Writes the lines to `out` (the gzip stream), waiting whenever it asks to. */
export class BackupWriter {
  private readonly whole = crypto.createHash('sha256');
  private readonly summaries: TableSummary[] = [];

  constructor(private readonly out: Writable) {}

  async start(header: BackupHeader): Promise<void> {
    await this.write(Buffer.from(`${FORMAT_MAGIC} ${FORMAT_VERSION}\n${JSON.stringify(header)}\n`));
  }

  /** Streams one table's COPY output into the file; returns its row count and hash. */
  async table(table: { schema: string; name: string }, data: Readable): Promise<TableSummary> {
    await this.write(Buffer.from(`table ${JSON.stringify({ schema: table.schema, name: table.name })}\n`));
    const hash = crypto.createHash('sha256');
    let rows = 0;
    for await (const chunk of data as AsyncIterable<Buffer>) {
      hash.update(chunk);
      rows += countNewlines(chunk);
      await this.write(chunk);
    }
    const summary = { schema: table.schema, name: table.name, rows, sha256: hash.digest('hex') };
    await this.write(
      Buffer.concat([END_OF_DATA, Buffer.from(`end ${JSON.stringify({ rows, sha256: summary.sha256 })}\n`)]),
    );
    this.summaries.push(summary);
    return summary;
  }

  async finish(): Promise<BackupTrailer> {
    const trailer: BackupTrailer = {
      tables: this.summaries,
      rows: this.summaries.reduce((sum, table) => sum + table.rows, 0),
      sha256: this.whole.digest('hex'),
    };
    await this.writeRaw(Buffer.from(`done ${JSON.stringify(trailer)}\n`));
    return trailer;
  }

  private async write(bytes: Buffer): Promise<void> {
    this.whole.update(bytes);
    await this.writeRaw(bytes);
  }

  private writeRaw(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.out.write(bytes)) return resolve();
      const done = (error?: Error) => {
        this.out.off('drain', done);
        this.out.off('error', done);
        if (error) reject(error);
        else resolve();
      };
      this.out.once('drain', done);
      this.out.once('error', done);
    });
  }
}

function countNewlines(chunk: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

export type BackupSection = { kind: 'table'; schema: string; name: string } | { kind: 'done'; trailer: BackupTrailer };

/** Reads a backup (already gunzipped) section by section; every check failure is a clear bad-input error. */
export class BackupReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private readonly whole = crypto.createHash('sha256');
  private readonly summaries: TableSummary[] = [];

  constructor(input: Readable) {
    this.chunks = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  async header(): Promise<BackupHeader> {
    const magic = await this.line();
    const [word, version] = (magic ?? '').split(' ');
    if (word !== FORMAT_MAGIC)
      throw badInput('This is not an intake backup (its first line is not "intake-backup N").');
    if (Number(version) !== FORMAT_VERSION)
      throw badInput(`This backup has format ${version}; this version of intake reads format ${FORMAT_VERSION}.`);
    return parseJson<BackupHeader>(await this.line(), 'header');
  }

  async next(): Promise<BackupSection> {
    // The trailer's hash covers every byte before its own line.
    const before = this.whole.copy().digest('hex');
    const line = await this.line();
    if (line?.startsWith('table ')) {
      const table = parseJson<{ schema: string; name: string }>(line.slice(6), 'table line');
      return { kind: 'table', schema: table.schema, name: table.name };
    }
    if (line?.startsWith('done ')) {
      const trailer = parseJson<BackupTrailer>(line.slice(5), 'final line');
      if (JSON.stringify(trailer.tables) !== JSON.stringify(this.summaries) || trailer.sha256 !== before)
        throw badInput('The backup is damaged: its final checksum does not match its contents.');
      return { kind: 'done', trailer };
    }
    throw badInput('The backup is truncated or damaged: expected a table or its final line.');
  }

  /** Hands the current table's rows to `sink` chunk by chunk, then checks them against its "end" line. */
  async tableData(
    table: { schema: string; name: string },
    sink: (chunk: Buffer) => Promise<void>,
  ): Promise<TableSummary> {
    const hash = crypto.createHash('sha256');
    let rows = 0;
    let atLineStart = true;
    for (;;) {
      if (this.buffer.length === 0 && !(await this.fill()))
        throw badInput(`The backup is truncated: the rows of ${table.schema}.${table.name} have no end.`);
      while (atLineStart && this.buffer.length < END_OF_DATA.length && (await this.fill()));
      if (atLineStart && this.startsWithEnd(0)) {
        this.consume(END_OF_DATA.length);
        const end = parseJson<{ rows: number; sha256: string }>((await this.line())?.replace(/^end /, ''), 'end line');
        const summary = { schema: table.schema, name: table.name, rows, sha256: hash.digest('hex') };
        if (end.rows !== rows || end.sha256 !== summary.sha256)
          throw badInput(
            `The backup is damaged: the rows of ${table.schema}.${table.name} do not match their checksum.`,
          );
        this.summaries.push(summary);
        return summary;
      }
      // Hand on whole lines up to a possible end marker; a long line (a large ciphertext) in pieces.
      let cut = 0;
      atLineStart = false;
      for (;;) {
        const nl = this.buffer.indexOf(NEWLINE, cut);
        if (nl === -1) {
          [cut, atLineStart] = [this.buffer.length, false];
          break;
        }
        [rows, cut, atLineStart] = [rows + 1, nl + 1, true];
        if (this.buffer.length - cut < END_OF_DATA.length || this.startsWithEnd(cut)) break;
      }
      const piece = this.consume(cut);
      hash.update(piece);
      if (piece.length > 0) await sink(piece);
    }
  }

  private startsWithEnd(at: number): boolean {
    return this.buffer.subarray(at, at + END_OF_DATA.length).equals(END_OF_DATA);
  }

  /** The next line without its newline, or null at the end. Framing lines are short: a long one is not ours. */
  private async line(): Promise<string | null> {
    for (;;) {
      const nl = this.buffer.indexOf(NEWLINE);
      if (nl !== -1)
        return this.consume(nl + 1)
          .subarray(0, nl)
          .toString('utf8');
      if (this.buffer.length > MAX_FRAMING_LINE) throw badInput('This is not an intake backup, or it is damaged.');
      if (!(await this.fill()))
        return this.buffer.length === 0 ? null : this.consume(this.buffer.length).toString('utf8');
    }
  }

  private consume(length: number): Buffer {
    const taken = this.buffer.subarray(0, length);
    this.whole.update(taken);
    this.buffer = this.buffer.subarray(length);
    return taken;
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next().catch((error: { code?: string }) => {
      if (!error.code?.startsWith('Z_')) throw error;
      throw badInput('The backup is damaged or truncated, or not an intake backup: it is not valid gzip.');
    });
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = this.buffer.length === 0 ? next.value : Buffer.concat([this.buffer, next.value]);
    return true;
  }
}

function parseJson<T>(text: string | null | undefined, what: string): T {
  try {
    if (text == null) throw new Error('missing');
    return JSON.parse(text) as T;
  } catch {
    throw badInput(`The backup is damaged: its ${what} is not readable.`);
  }
}
