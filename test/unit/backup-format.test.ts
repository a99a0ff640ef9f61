// The backup file's framing, read back whatever the chunk sizes the gunzip stream happens to hand
// over: a table's end marker split across chunks, rows longer than a chunk, empty tables.
import { PassThrough, Readable } from 'node:stream';
import { BackupReader, BackupWriter, FORMAT_VERSION, type BackupHeader } from '../../server/backup/backup-format';

const header: BackupHeader = {
  format: FORMAT_VERSION,
  app: { name: 'confidential-intake', version: '0.0.0-test' },
  createdAt: '2026-12-01T00:00:00.000Z',
  postgresVersion: '18.4',
  migrations: ['2026-11-24-01-initial'],
  pgbossSchemaVersion: null,
  tables: [
    { schema: 'public', name: 'a', columns: ['x'] },
    { schema: 'public', name: 'empty', columns: ['x'] },
    { schema: 'public', name: 'b', columns: ['x', 'y'] },
  ],
  sequences: [],
};

// COPY text escapes a backslash as two, so a row may start with "\\." but is never "\." alone.
const tables: Record<string, string> = {
  a: '1\n\\\\.\n\\\\.x\n3\n',
  empty: '',
  b: `${'\\\\x' + 'ab'.repeat(40_000)}\t\\N\n.\n\\\\\n`,
};

async function written(): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const writer = new BackupWriter(out);
  await writer.start(header);
  for (const table of header.tables) await writer.table(table, Readable.from([Buffer.from(tables[table.name]!)]));
  await writer.finish();
  out.end();
  return Buffer.concat(chunks);
}

function inChunks(bytes: Buffer, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return Readable.from(pieces);
}

async function readAll(input: Readable) {
  const reader = new BackupReader(input);
  const read = {
    header: await reader.header(),
    tables: {} as Record<string, string>,
    rows: {} as Record<string, number>,
  };
  for (;;) {
    const section = await reader.next();
    if (section.kind === 'done') return { ...read, trailer: section.trailer };
    const parts: Buffer[] = [];
    const summary = await reader.tableData(section, async (chunk) => void parts.push(Buffer.from(chunk)));
    read.tables[section.name] = Buffer.concat(parts).toString();
    read.rows[section.name] = summary.rows;
  }
}

test.each([1, 2, 3, 5, 4096, 1 << 20])('rows come back byte for byte in chunks of %i bytes', async (size) => {
  const read = await readAll(inChunks(await written(), size));
  expect(read.header).toEqual(header);
  expect(read.tables).toEqual(tables);
  expect(read.rows).toEqual({ a: 4, empty: 0, b: 3 });
  expect(read.trailer.rows).toBe(7);
});

test('a changed byte in a row fails that table', async () => {
  const bytes = await written();
  const at = bytes.indexOf('\\\\.x');
  bytes[at + 3] = 'y'.charCodeAt(0);
  await expect(readAll(inChunks(bytes, 7))).rejects.toThrow('public.a do not match their checksum');
});

test('a changed header fails the final checksum', async () => {
  const bytes = Buffer.from((await written()).toString().replace('0.0.0-test', '9.9.9-test'));
  await expect(readAll(inChunks(bytes, 64))).rejects.toThrow('final checksum does not match');
});

test('a file cut anywhere is refused', async () => {
  const bytes = await written();
  for (const fraction of [0.1, 0.5, 0.9, 0.999]) {
    await expect(readAll(inChunks(bytes.subarray(0, Math.floor(bytes.length * fraction)), 1000))).rejects.toThrow(
      /truncated|damaged/,
    );
  }
});
