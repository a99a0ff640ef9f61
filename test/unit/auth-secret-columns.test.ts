// STYLE: a secret column is read only by the query that needs it. This guards the sign-in tables by
// reading the sources: which files name a secret column, and that none selects everything.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SECRET_COLUMNS = [
  'password_hash',
  'totp_secret',
  'pending_totp_secret',
  'pending_password_hash',
  'token_hash',
  'code_hash',
  'id_hash',
];
const AUTH_TABLES = [
  'member_credentials',
  'recovery_codes',
  'invitations',
  'member_sessions',
  'sign_in_throttle',
  'sign_in_client_throttle',
];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return relative.endsWith('migrations') ? [] : sources(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

const files = [...sources('server'), ...sources('db')].map((file) => ({
  file,
  text: fs.readFileSync(path.join(ROOT, file), 'utf8'),
}));

test('only the query modules of the sign-in tables (and the table types) name a secret column', () => {
  const naming = files
    .filter(({ text }) => SECRET_COLUMNS.some((column) => new RegExp(`\\b${column}\\b`).test(text)))
    .map(({ file }) => file);
  // db/submission-tokens.queries.ts: its token_hash is the report form's one-time token, not a sign-in secret.
  expect(naming.sort()).toEqual([
    'db/credentials.queries.ts',
    'db/database.ts',
    'db/invitations.queries.ts',
    'db/member-sessions.queries.ts',
    'db/submission-tokens.queries.ts',
  ]);
});

test('a sealed no-JavaScript receipt is named only by its query module (and the table types)', () => {
  const naming = files.filter(({ text }) => /\bsealed_receipt\b/.test(text)).map(({ file }) => file);
  expect(naming.sort()).toEqual(['db/database.ts', 'db/submission-tokens.queries.ts']);
});

test('the password hash and the TOTP secret are selected by one query: findSignInSecrets', () => {
  const text = files.find(({ file }) => file === 'db/credentials.queries.ts')!.text;
  const selects = [...text.matchAll(/\.select\(\[([^\]]*)\]\)/g)].map((m) => m[1]!);
  expect(selects.filter((s) => /password_hash|totp_secret/.test(s))).toHaveLength(1);
  expect(text).toMatch(
    /export async function findSignInSecrets[\s\S]*?'member_credentials\.password_hash',\s*'member_credentials\.totp_secret'/,
  );
});

test('no code selects every column of a sign-in table', () => {
  for (const { file, text } of files) {
    for (const table of AUTH_TABLES) {
      expect({ file, selectsAll: new RegExp(`selectFrom\\('${table}'\\)[^;]*selectAll`).test(text) }).toEqual({
        file,
        selectsAll: false,
      });
    }
  }
});
