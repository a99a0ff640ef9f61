// The charter's copy on the hot paths, across instances: a change written through another
// database handle (another instance, the CLI) reaches this one by NOTIFY, well before the
// backstop recheck; a change made here holds here at once.
import { createKysely } from '../../db/connect';
import { writeCharterValue } from '../../db/charter.queries';
import { BUILT_IN_CHARTER, currentCharter } from '../../server/governance/charter';
import { followCharterChanges } from '../../server/governance/charter-cache';
import { createLogger } from '../../server/log';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.destroy();
});

const ackSecurity = async () => (await currentCharter(t.db, BUILT_IN_CHARTER)).acknowledgeDays.security;
const write = (db: typeof t.db, value: number) =>
  writeCharterValue(db, {
    key: 'acknowledge-days.security',
    value,
    changedBy: 'decision',
    proposalId: null,
    at: new Date(),
  });

test('another instance’s change arrives by NOTIFY; without the listener the copy waits for its recheck', async () => {
  const other = createKysely(t.url, 2);
  const logLines: string[] = [];
  try {
    expect(await ackSecurity()).toBe(2);
    // Another handle writes: without a listener, this instance still has its copy.
    await write(other, 3);
    expect(await ackSecurity()).toBe(2);

    const listener = followCharterChanges({ url: t.url, log: createLogger((l) => logLines.push(l)) });
    try {
      // Connecting drops the copy (changes may have been missed while not listening).
      for (const until = Date.now() + 4_000; Date.now() < until && (await ackSecurity()) !== 3;)
        await new Promise((r) => setTimeout(r, 50));
      expect(await ackSecurity()).toBe(3);
      await write(other, 6);
      for (const until = Date.now() + 4_000; Date.now() < until && (await ackSecurity()) !== 6;)
        await new Promise((r) => setTimeout(r, 50));
      expect(await ackSecurity()).toBe(6);
    } finally {
      await listener.close();
    }
    expect(logLines.filter((l) => l.includes('"warn"'))).toEqual([]);
  } finally {
    await other.destroy();
  }
});
