// Case references tell nobody how many cases exist or in what order they came (DESIGN §2, issue 7):
// PREFIX-YEAR-XXXX-XXXX from the CSPRNG, unique, found however a person types them; references given
// before keep working.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import {
  insertCaseWithMessages,
  ReceiptInUseError,
  RecipientsChangedError,
  type NewCaseWithMessages,
} from '../../db/new-case.queries';
import { newCaseReference, parseCaseReference } from '../../server/cases/case-reference';
import { listCasesForMember, parseCaseListQuery } from '../../server/cases/case-list';
import { CASE_NOT_FOUND, openCase } from '../../server/cases/case-work';
import { exportCaseForMember } from '../../server/cases/cases';
import { submitPlaintextReport } from '../../server/intake/reports';
import type { MemberWithKey } from '../../db/members.queries';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, signedIn } from '../helpers/dashboard';
import { fixtureKey, testArgon2Cost } from '../helpers/keys';
import { addCast, newReferenceShape } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
let carol: MemberWithKey;
const year = new Date().getUTCFullYear();
const submit = (kind: 'security' | 'coc') =>
  submitPlaintextReport(
    t.db,
    { kind, involvedIds: [], document: 'x', attachments: [] },
    { channel: 'web-no-js', argon2: testArgon2Cost },
  );

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver' });
  carol = cast.carol!;
});
afterAll(async () => {
  await t.destroy();
});

describe('the form of a reference', () => {
  test('kind, year, and eight Crockford base32 characters in two groups, different every time', () => {
    const made = Array.from({ length: 2000 }, () => newCaseReference('coc', 2026));
    for (const reference of made) expect(reference).toMatch(/^COC-2026-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(new Set(made).size).toBe(made.length);
    // Every character of the alphabet turns up in every position: nothing is fixed or counted.
    for (const position of [9, 10, 11, 12, 14, 15, 16, 17]) expect(new Set(made.map((r) => r[position])).size).toBe(32);
    expect(newCaseReference('security', 2031)).toMatch(/^SEC-2031-/);
  });

  test.each([
    ['COC-2026-7K3M-9QXD', 'COC-2026-7K3M-9QXD'],
    ['coc-2026-7k3m9qxd', 'COC-2026-7K3M-9QXD'],
    [' coc 2026 7k3m 9qxd ', 'COC-2026-7K3M-9QXD'],
    ['COC20267K3M9QXD', 'COC-2026-7K3M-9QXD'],
    // Crockford's confusables: I and L are read as 1, O as 0, in the year and the characters.
    ['COC-2O26-7K3M-9QXD', 'COC-2026-7K3M-9QXD'],
    ['sec-2026-iLo0-ABCD', 'SEC-2026-1100-ABCD'],
    ['C0C-2026-7K3M-9QXD', 'COC-2026-7K3M-9QXD'],
    // References given before random ones keep working, in any case.
    ['sec-2026-0001', 'SEC-2026-0001'],
    ['COC-2026-10000', 'COC-2026-10000'],
  ])('%j is %s', (typed, stored) => {
    expect(parseCaseReference(typed)).toBe(stored);
  });

  test.each([
    '',
    'COC',
    'COC-2026',
    'COC-2026-7K3M-9QX',
    'COC-2026-7K3M-9QXDA',
    'COC-2026-7K3U-9QXD',
    'ABC-2026-7K3M-9QXD',
    'COC-26-7K3M-9QXD',
    'COC-2026-001',
    "COC-2026-7K3M-9QX'",
  ])('%j is no reference', (typed) => {
    expect(parseCaseReference(typed)).toBeNull();
  });
});

describe('stored cases', () => {
  test('a report is told a random reference of its kind and year; in order of arrival they are in no order', async () => {
    const told: string[] = [];
    for (let i = 0; i < 12; i += 1) told.push((await submit(i % 3 === 0 ? 'security' : 'coc')).reference);
    for (const [i, reference] of told.entries())
      expect(reference).toMatch(newReferenceShape(i % 3 === 0 ? 'SEC' : 'COC'));
    const coc = told.filter((r) => r.startsWith('COC'));
    // Eight random references in ascending (or descending) order by chance: 2 in 40,320.
    expect([[...coc].sort(), [...coc].sort().reverse()]).not.toContainEqual(coc);
    const stored = await t.db.selectFrom('cases').select('reference').execute();
    expect(stored.map((r) => r.reference).sort()).toEqual([...told].sort());
  });

  test("the dashboard's list is in order of arrival, never of reference", async () => {
    const page = await listCasesForMember(t.db, signedIn(carol), parseCaseListQuery({}));
    const byTime = await t.db
      .selectFrom('cases')
      .select('reference')
      .where('kind', '=', 'coc')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(page.rows.map((r) => r.reference)).toEqual(byTime.map((r) => r.reference));
    const oldest = await listCasesForMember(t.db, signedIn(carol), parseCaseListQuery({ sort: 'oldest' }));
    expect(oldest.rows.map((r) => r.reference)).toEqual(byTime.map((r) => r.reference).reverse());
  });

  test('a reader opens a case and the CLI exports it however the reference is typed', async () => {
    const { reference } = await submit('coc');
    const compact = reference.toLowerCase().replace(/-/g, '').replace(/1/g, 'l').replace(/0/g, 'o');
    const typed = [reference, reference.toLowerCase(), compact, ` ${reference.replace(/-/g, ' ')} `];
    for (const form of typed) expect((await openCase(t.db, signedIn(carol), form)).detail.reference).toBe(reference);
    for (const form of typed) expect(await exportCaseForMember(t.db, form, fixtureKey('carol').email)).toHaveLength(1);
    expect((await domainErrorOf(openCase(t.db, signedIn(carol), `${reference}X`))).message).toBe(CASE_NOT_FOUND);
  });

  test('a case filed under a numbered reference keeps it, and is found by it', async () => {
    const { reference } = await submit('security');
    const old = `SEC-${year}-0007`;
    await sql`UPDATE cases SET reference = ${old} WHERE reference = ${reference}`.execute(t.db);
    const member = signedIn(cast.alice!);
    expect((await openCase(t.db, member, old.toLowerCase())).detail.reference).toBe(old);
    expect((await openCase(t.db, member, `sec ${year} 0007`)).detail.reference).toBe(old);
  });

  test('a reference that is taken is drawn again inside the insert; one that keeps clashing fails without a trace', async () => {
    const taken = (await submit('coc')).reference;
    const before = await counts();
    const fresh = newCaseReference('coc', year);
    const draws = [taken, taken, fresh];
    const stored = await insertCaseWithMessages(t.db, await newCase(() => draws.shift()!));
    expect(stored.reference).toBe(fresh);
    expect(draws).toEqual([]);
    expect(await counts()).toEqual({ cases: before.cases + 1, audit: before.audit + 1 });

    const error = await insertCaseWithMessages(t.db, await newCase(() => taken)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505', constraint: 'cases_reference_key' });
    expect(await counts()).toEqual({ cases: before.cases + 1, audit: before.audit + 1 });
  });

  test('a receipt another case has, and a reader removed since routing, fail the insert with errors that say so', async () => {
    const before = await counts();
    const first = await newCase(() => newCaseReference('coc', year));
    await insertCaseWithMessages(t.db, first);
    const again = { ...(await newCase(() => newCaseReference('coc', year))), receiptLookup: first.receiptLookup };
    expect(await insertCaseWithMessages(t.db, again).catch((e: unknown) => e)).toBeInstanceOf(ReceiptInUseError);
    const goneReader = { ...(await newCase(() => newCaseReference('coc', year))), readerIds: [crypto.randomUUID()] };
    expect(await insertCaseWithMessages(t.db, goneReader).catch((e: unknown) => e)).toBeInstanceOf(
      RecipientsChangedError,
    );
    expect(await counts()).toEqual({ cases: before.cases + 1, audit: before.audit + 1 });
  });
});

async function counts(): Promise<{ cases: number; audit: number }> {
  const n = async (table: 'cases' | 'audit_log') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { cases: await n('cases'), audit: await n('audit_log') };
}

/** A minimal case for the insert itself: one reader, one message, one key packet (bytes that are never decrypted). */
async function newCase(newReference: () => string): Promise<NewCaseWithMessages> {
  const now = new Date();
  return {
    kind: 'coc',
    newReference,
    channel: 'web-no-js',
    receiptLookup: crypto.randomBytes(32),
    reporterFingerprint: 'F'.repeat(40),
    reporterPublicKey: 'public',
    reporterLockedKey: 'locked',
    acknowledgeDueAt: now,
    triageDueAt: now,
    readerIds: [carol.id],
    messages: [
      {
        role: 'report',
        authorMemberId: null,
        body: crypto.randomBytes(16),
        sessionKeys: [
          { recipientFingerprint: carol.fingerprint, memberKeyId: carol.memberKeyId, packet: crypto.randomBytes(16) },
        ],
      },
    ],
    audit: { action: 'case.created', details: { kind: 'coc', channel: 'web-no-js' } },
  };
}
