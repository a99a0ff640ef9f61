// DESIGN §4 and STYLE: one owner per concern, held by reading the sources. Data and imports run one
// way: adapters (http/, smtp/, mail/, cli/, browser/) import the domain folders, the domain imports
// db/ and crypto/, and those two import nothing of the server.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const DOMAIN = [
  'server/intake',
  'server/cases',
  'server/governance',
  'server/audit',
  'server/auth',
  'server/intake-key',
  'server/backup',
  'server/limits',
];
const ADAPTERS = ['server/http', 'server/smtp', 'server/mail', 'server/cli', 'server/browser'];

interface Source {
  file: string;
  text: string;
  /** Every module specifier the file imports or requires, relative ones resolved to a path from ROOT. */
  imports: string[];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.(ts|js)$/.test(entry.name) ? [relative] : [];
  });
}

function read(file: string): Source {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm),
  ].map((m) => m[1]!);
  const imports = specifiers.map((s) =>
    s.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), s)) : s,
  );
  return { file, text, imports };
}

const sources = ['server', 'crypto', 'db'].flatMap(sourceFiles).map(read);
const under = (folder: string) => (s: Source) => s.file.startsWith(`${folder}/`);
const inAny = (folders: string[]) => (target: string) =>
  folders.some((folder) => target === folder || target.startsWith(`${folder}/`));

/** `file → import` for every import of `from` files that lands in `forbidden` (a list of folders or a test). */
function offending(from: (s: Source) => boolean, forbidden: (target: string) => boolean): string[] {
  return sources.filter(from).flatMap((s) => s.imports.filter(forbidden).map((target) => `${s.file} → ${target}`));
}

test('crypto/ and db/ import nothing from server/', () => {
  expect(offending((s) => under('crypto')(s) || under('db')(s), inAny(['server']))).toEqual([]);
});

test('crypto/ imports nothing from db/ (the same code runs in the browser)', () => {
  expect(offending(under('crypto'), inAny(['db']))).toEqual([]);
});

test('domain folders import no adapter and no express', () => {
  const fromDomain = (s: Source) => DOMAIN.some((folder) => under(folder)(s));
  expect(
    offending(fromDomain, (target) => inAny(ADAPTERS)(target) || target === 'express' || target.startsWith('express-')),
  ).toEqual([]);
});

test('outbound mail and the SMTP intake do not depend on each other', () => {
  expect(offending(under('server/mail'), inAny(['server/smtp']))).toEqual([]);
  expect(offending(under('server/smtp'), inAny(['server/mail']))).toEqual([]);
});

test('nothing outside crypto/ imports OpenPGP.js', () => {
  expect(
    offending(
      (s) => !under('crypto')(s),
      (target) => target === 'openpgp' || target.startsWith('openpgp/'),
    ),
  ).toEqual([]);
});

test('nothing outside db/ writes SQL or reads a SQLSTATE code', () => {
  const outside = sources.filter((s) => !under('db')(s));
  const sqlUsers = outside
    .filter((s) => /import\s*\{[^}]*\bsql\b[^}]*\}\s*from\s*['"]kysely['"]/.test(s.text))
    .map((s) => s.file);
  expect(sqlUsers).toEqual([]);
  // SQLSTATE codes as string literals: class 08 (connection), 23 (integrity), 40 (rollback), 42 (syntax/objects), 53, 57.
  const codeReaders = outside.filter((s) => /['"](?:08|23|40|42|53|57)[0-9A-Z]{3}['"]/.test(s.text)).map((s) => s.file);
  expect(codeReaders).toEqual([]);
});

test('route handlers are the only place express is imported, with the wiring of app.ts', () => {
  const importers = sources.filter((s) => s.imports.some((target) => target === 'express')).map((s) => s.file);
  expect(importers.filter((file) => !file.startsWith('server/http/') && file !== 'server/app.ts')).toEqual([]);
});
