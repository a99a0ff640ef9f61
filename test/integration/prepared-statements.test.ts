// The new case's statement is prepared once per connection (db/prepared-statements.ts): on one
// connection, many submissions of one shape leave one prepared statement, another shape (more
// readers) a second, and a failed one leaves the connection usable.
import { sql } from 'kysely';
import { createKysely } from '../../db/connect';
import crypto from 'node:crypto';
import { insertCaseWithMessages, RecipientsChangedError } from '../../db/new-case.queries';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { submitReport } from '../helpers/dashboard';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver' });
});
afterAll(async () => {
  await t.destroy();
});

test('one prepared statement per shape on a connection, only for the marked statement, and each case stored', async () => {
  const db = createKysely(t.url, 1); // one connection: what it prepared is what pg_prepared_statements lists
  try {
    const prepared = async () =>
      (await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(db))
        .rows;
    expect(await prepared()).toEqual([]);
    const first = await submitReport(db, 'security', 'first');
    const second = await submitReport(db, 'security', 'second');
    expect(first.reference).not.toBe(second.reference);
    const afterSecurity = await prepared();
    expect(afterSecurity).toHaveLength(1);
    expect(afterSecurity[0]!.name).toMatch(/^intake_[0-9a-f]{40}$/);
    expect(afterSecurity[0]!.statement).toMatch(/^\/\* prepared \*\/\s+WITH new_case AS/);

    // A CoC report goes to the approvers: another number of readers, another shape, prepared once more.
    await submitReport(db, 'coc', 'third');
    await submitReport(db, 'coc', 'fourth');
    expect(await prepared()).toHaveLength(2);

    const stored = await sql<{ n: string }>`SELECT count(*)::text AS n FROM cases`.execute(db);
    expect(Number(stored.rows[0]!.n)).toBe(4);
  } finally {
    await db.destroy();
  }
});

test('a prepared statement that fails (a reader gone) leaves the connection working', async () => {
  const db = createKysely(t.url, 1);
  try {
    const { reference } = await submitReport(db, 'security', 'before');
    const readerIds = (
      await db
        .selectFrom('case_readers')
        .innerJoin('cases', 'cases.id', 'case_readers.case_id')
        .select('case_readers.member_id')
        .where('cases.reference', '=', reference)
        .execute()
    ).map((r) => r.member_id);
    // The same shape as the security reports (two readers), one of them no member: the foreign key fails it.
    const failing = insertCaseWithMessages(db, {
      kind: 'security',
      newReference: () => `SEC-2026-${crypto.randomBytes(4).toString('hex').toUpperCase()}`,
      channel: 'web',
      receiptLookup: crypto.randomBytes(32),
      reporterFingerprint: 'F'.repeat(40),
      reporterPublicKey: 'key',
      reporterLockedKey: 'locked',
      acknowledgeDueAt: new Date(Date.now() + 86_400_000),
      triageDueAt: new Date(Date.now() + 2 * 86_400_000),
      readerIds: [readerIds[0]!, crypto.randomUUID()],
      messages: [
        {
          role: 'report',
          authorMemberId: null,
          body: new Uint8Array(10),
          // Three packets, as for the two readers and the reporter: the shape of the statement prepared above.
          sessionKeys: [1, 2, 3].map((n) => ({
            recipientFingerprint: String(n).repeat(40),
            memberKeyId: null,
            packet: new Uint8Array([n]),
          })),
        },
      ],
      audit: { action: 'case.created', details: { kind: 'security', channel: 'web' } },
    });
    await expect(failing).rejects.toBeInstanceOf(RecipientsChangedError);
    const prepared = await sql<{ n: string }>`SELECT count(*)::text AS n FROM pg_prepared_statements`.execute(db);
    expect(prepared.rows[0]!.n).toBe('1'); // the failed insert used the statement the reports use
    const after = await submitReport(db, 'security', 'after the failure');
    expect(after.reference).not.toBe(reference);
  } finally {
    await db.destroy();
  }
});
