// AUDIT_ACTIONS is the list of what the audit log records: every action in it must be appended by
// some code path. This reads the sources, like the secret-columns test: an action listed for a
// feature that does not exist yet, or one whose emitter was removed, fails here.
import fs from 'node:fs';
import path from 'node:path';
import { AUDIT_ACTIONS } from '../../server/audit/audit-log';

const ROOT = path.join(__dirname, '..', '..');
/** The list itself, and the sentences that put a recorded action into words: neither emits anything. */
const NOT_EMITTERS = new Set([
  path.join('server', 'audit', 'audit-log.ts'),
  path.join('server', 'audit', 'audit-sentences.ts'),
]);

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return relative.endsWith('migrations') ? [] : sources(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

const emitters = [...sources('server'), ...sources('db')]
  .filter((file) => !NOT_EMITTERS.has(file))
  .map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }));

test.each([...AUDIT_ACTIONS])('%s is appended somewhere in server/ or db/', (action) => {
  const naming = emitters.filter(({ text }) => text.includes(`'${action}'`)).map(({ file }) => file);
  expect(naming).not.toEqual([]);
});

test('the list has no duplicates', () => {
  expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
});
