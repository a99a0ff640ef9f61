// Retention (issue 12 §3) on a real PostgreSQL with a moved clock: a closed case's content goes for
// good a week after its readers were warned, once its period ran out; the case row (but for the
// content columns) and every audit row stay, and the chain verifies; a legal hold stops it, lifting
// it by decision lets it go; new activity restarts the clock; two runs at once delete each case once;
// the CLI lists exactly what a run deletes.
import { sql } from 'kysely';
import type { MemberWithKey } from '../../db/members.queries';
import { sealAuditLog, verifyAuditChain } from '../../server/audit/audit-log';
import { addCaseMessage, messageRecipients } from '../../server/cases/case-messages';
import { moveCase } from '../../server/cases/case-work';
import { loadConfig } from '../../server/config';
import { propose } from '../../server/governance/decisions';
import { settleProposals } from '../../server/governance/decision-settle';
import { replyWithReceipt } from '../../server/intake/followup';
import { placeLegalHold } from '../../server/retention/legal-hold';
import { CONTENT_DELETED } from '../../server/retention/retention-clock';
import { addDays, listDueCases, retentionPolicy } from '../../server/retention/retention-rules';
import { runRetentionSweep } from '../../server/retention/retention-sweep';
import { retentionView } from '../../server/retention/retention-view';
import { runIntakeCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, encryptArmored, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { addCast } from '../helpers/stored-case';
import type { CaseDetail } from '../../db/case-view.queries';
import { findReadableCase } from '../../db/case-view.queries';

const config = loadConfig({ DATA_DIR: '/nonexistent' });
let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
const member = (name: 'alice' | 'bob' | 'carol' | 'dave') => signedIn(cast[name] as MemberWithKey);

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver', dave: 'approver' });
});
afterAll(async () => {
  await t.destroy();
});

const sweep = async (now: Date) => runRetentionSweep(t.db, await retentionPolicy(t.db, config), recordingEvents(), now);

/** A security case with a reply and a comment, closed (as spam) by alice. */
async function closedSecurityCase(text = 'Heap overflow in the parser.') {
  const c = await submitReport(t.db, 'security', text);
  const readers = [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey];
  const reporterKey = (await messageRecipients(t.db, member('alice'), c.reference, 'reply')).reporter!.publicKey;
  await addCaseMessage(
    t.db,
    member('alice'),
    c.reference,
    'reply',
    await encryptArmored('Thanks, looking.', [...readers, reporterKey]),
    recordingEvents(),
  );
  await addCaseMessage(
    t.db,
    member('alice'),
    c.reference,
    'comment',
    await encryptArmored('Internal note.', readers),
    recordingEvents(),
  );
  await moveCase(t.db, member('alice'), c.reference, 'spam');
  return c;
}

/** Moves the case's clock start `days` into the past: as if it had closed then. */
async function agedBy(id: string, days: number) {
  await t.db
    .updateTable('cases')
    .set({ retention_started_at: sql<Date>`now() - make_interval(days => ${days}::int)` })
    .where('id', '=', id)
    .execute();
}

async function caseRow(id: string) {
  return t.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
async function auditRows(id: string) {
  return t.db.selectFrom('audit_log').selectAll().where('case_id', '=', id).orderBy('id').execute();
}
async function contentCounts(id: string) {
  const count = async (table: 'messages' | 'case_reply_addresses' | 'submission_tokens') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('case_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const packets = await t.db
    .selectFrom('session_keys as k')
    .innerJoin('messages as m', 'm.id', 'k.message_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('m.case_id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    messages: await count('messages'),
    sessionKeys: Number(packets.n),
    replyAddresses: await count('case_reply_addresses'),
    submissionTokens: await count('submission_tokens'),
  };
}
async function tableCounts(): Promise<Map<string, number>> {
  const { rows } = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`.execute(t.db);
  const counts = new Map<string, number>();
  for (const { name } of rows) {
    const r = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(t.db);
    counts.set(name, Number(r.rows[0]!.n));
  }
  return counts;
}

test('closing a case starts its clock; an open case is not counted down', async () => {
  const open = await submitReport(t.db, 'security', 'Still open.');
  await agedBy(open.id, 5000);
  const closed = await closedSecurityCase();
  const row = await caseRow(closed.id);
  expect(Math.abs(row.retention_started_at.getTime() - Date.now())).toBeLessThan(60_000);
  const result = await sweep(addDays(new Date(), 400));
  expect(result.warned).not.toContain(open.id);
  expect(result.warned).not.toContain(closed.id);
});

test('deletion removes the bodies, packets, locked key and reply addresses, and nothing else', async () => {
  const c = await closedSecurityCase();
  const other = await closedSecurityCase('Another case, not yet due.');
  await agedBy(c.id, 731);
  const before = await contentCounts(c.id);
  expect(before.messages).toBe(3);
  expect(before.sessionKeys).toBeGreaterThanOrEqual(7);
  const otherBefore = await contentCounts(other.id);
  const rowBefore = await caseRow(c.id);
  expect(rowBefore.reporter_locked_key).toMatch(/BEGIN PGP PRIVATE KEY/);

  const now = new Date();
  const first = await sweep(now);
  expect(first.warned).toEqual([c.id]);
  expect(first.deleted).toEqual([]);
  // Not a week after the warning yet: nothing goes.
  expect((await sweep(addDays(now, 6))).deleted).toEqual([]);
  await sealAuditLog(t.db);
  const auditBefore = await auditRows(c.id);
  const tablesBefore = await tableCounts();

  const later = addDays(now, 8);
  expect((await sweep(later)).deleted).toEqual([c.id]);
  await sealAuditLog(t.db);

  expect(await contentCounts(c.id)).toEqual({ messages: 0, sessionKeys: 0, replyAddresses: 0, submissionTokens: 0 });
  expect(await contentCounts(other.id)).toEqual(otherBefore);
  const rowAfter = await caseRow(c.id);
  expect(rowAfter).toEqual({
    ...rowBefore,
    reporter_locked_key: null,
    content_deleted_at: later,
    retention_warned_for: rowAfter.retention_warned_for,
    retention_warned_at: now,
  });
  expect(rowAfter.retention_warned_for!.getTime()).toBe(addDays(rowBefore.retention_started_at, 730).getTime());

  // Every earlier audit row is unchanged; one more records the deletion with its counts.
  const auditAfter = await auditRows(c.id);
  expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
  expect(auditAfter.slice(auditBefore.length).map((r) => [r.action, r.actor_label])).toEqual([
    ['retention.content-deleted', 'system'],
  ]);
  expect(auditAfter.at(-1)!.details).toMatchObject({ ...before, lockedKeys: 1, retentionDays: 730 });
  expect((await verifyAuditChain(t.db)).ok).toBe(true);

  // Only the content tables (and the audit log) lost or gained rows.
  const tablesAfter = await tableCounts();
  const changed = [...tablesAfter].filter(([name, n]) => tablesBefore.get(name) !== n).map(([name]) => name);
  const contentTables = ['case_reply_addresses', 'submission_tokens'].filter((n) =>
    n === 'case_reply_addresses' ? before.replyAddresses > 0 : before.submissionTokens > 0,
  );
  expect(changed.sort()).toEqual(['audit_log', 'messages', 'session_keys', ...contentTables].sort());
  expect(tablesAfter.get('messages')).toBe(tablesBefore.get('messages')! - before.messages);
  expect(tablesAfter.get('session_keys')).toBe(tablesBefore.get('session_keys')! - before.sessionKeys);
  expect(tablesAfter.get('cases')).toBe(tablesBefore.get('cases'));
  expect(tablesAfter.get('case_readers')).toBe(tablesBefore.get('case_readers'));
  expect(tablesAfter.get('audit_log')).toBe(tablesBefore.get('audit_log')! + 1);

  // Nothing can be added to it any more, by a reader or the reporter.
  const refusal = await domainErrorOf(
    addCaseMessage(
      t.db,
      member('alice'),
      c.reference,
      'comment',
      await encryptArmored('Too late.', [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey]),
      recordingEvents(),
    ),
  );
  expect(refusal.message).toBe(CONTENT_DELETED);
  expect((await domainErrorOf(replyWithReceipt(t.db, c.receipt, 'More.', recordingEvents()))).message).toBe(
    CONTENT_DELETED,
  );

  // The case page says so.
  const detail = (await findReadableCase(t.db, cast.alice!.id, c.reference)) as CaseDetail;
  expect(await retentionView(t.db, member('alice'), detail, later)).toMatchObject({
    deletedOn: later,
    countingDown: false,
    canPlaceHold: false,
  });
});

test('a CoC outcome stays: only the content of a resolved, closed case goes', async () => {
  const c = await submitReport(t.db, 'coc', 'Harassment in a review thread.');
  await t.db
    .updateTable('cases')
    .set({ status: 'closed', resolution: 'warning', acknowledged_at: new Date(), triaged_at: new Date() })
    .where('id', '=', c.id)
    .execute();
  await agedBy(c.id, 366);
  const now = new Date();
  expect((await sweep(now)).warned).toContain(c.id);
  expect((await sweep(addDays(now, 8))).deleted).toContain(c.id);
  const row = await caseRow(c.id);
  expect([row.kind, row.status, row.resolution]).toEqual(['coc', 'closed', 'warning']);
  expect((await contentCounts(c.id)).messages).toBe(0);
});

test('a legal hold stops the deletion; lifting it by decision lets it go, a week after a new warning', async () => {
  const c = await submitReport(t.db, 'coc', 'A case under a legal obligation.');
  await t.db.updateTable('cases').set({ status: 'closed' }).where('id', '=', c.id).execute();
  await agedBy(c.id, 400);
  const now = new Date();
  expect((await sweep(now)).warned).toContain(c.id);
  await placeLegalHold(t.db, member('carol'), c.reference, now);
  const held = await auditRows(c.id);
  expect(held.at(-1)).toMatchObject({ action: 'retention.hold-placed', actor_member_id: cast.carol!.id });
  // A second hold is refused beside the form; a liaison could not place one.
  expect((await domainErrorOf(placeLegalHold(t.db, member('dave'), c.reference, now))).kind).toBe('bad-input');

  for (const days of [8, 400, 4000]) {
    const result = await sweep(addDays(now, days));
    expect(result.deleted).not.toContain(c.id);
    expect(result.warned).not.toContain(c.id);
  }
  expect((await contentCounts(c.id)).messages).toBe(1);
  expect((await listDueCases(t.db, config, addDays(now, 8))).find((r) => r.reference === c.reference)?.held).toBe(true);

  await propose(
    t.db,
    member('carol'),
    { reference: c.reference },
    { kind: 'lift-legal-hold' },
    { now, periods: config.decisions, events: recordingEvents() },
  );
  const settled = await settleProposals(t.db, addDays(now, 30));
  expect(settled.length).toBe(1);
  const hold = await t.db
    .selectFrom('case_legal_holds')
    .selectAll()
    .where('case_id', '=', c.id)
    .executeTakeFirstOrThrow();
  expect(hold.lifted_at).not.toBeNull();
  expect(hold.lifted_by_proposal_id).toBe(settled[0]!.id);
  expect((await auditRows(c.id)).map((r) => r.action)).toContain('retention.hold-lifted');

  // Lifted: warned again first, deleted a week after that warning.
  const afterLift = addDays(now, 31);
  expect((await sweep(afterLift)).warned).toContain(c.id);
  expect((await sweep(addDays(afterLift, 6))).deleted).not.toContain(c.id);
  expect((await sweep(addDays(afterLift, 7))).deleted).toContain(c.id);
  // Nothing left to hold.
  expect((await domainErrorOf(placeLegalHold(t.db, member('carol'), c.reference, afterLift))).kind).toBe('bad-input');
});

test("new activity restarts the clock: a reporter's message, a reader's comment", async () => {
  const now = new Date();
  const byReporter = await closedSecurityCase();
  const byReader = await closedSecurityCase();
  for (const c of [byReporter, byReader]) await agedBy(c.id, 800);
  const warned = await sweep(now);
  expect(warned.warned).toEqual(expect.arrayContaining([byReporter.id, byReader.id]));

  await replyWithReceipt(t.db, byReporter.receipt, 'One more detail.', recordingEvents());
  await addCaseMessage(
    t.db,
    member('bob'),
    byReader.reference,
    'comment',
    await encryptArmored('Still relevant.', [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey]),
    recordingEvents(),
  );
  for (const c of [byReporter, byReader])
    expect(Math.abs((await caseRow(c.id)).retention_started_at.getTime() - Date.now())).toBeLessThan(60_000);

  const result = await sweep(addDays(now, 8));
  expect(result.deleted).not.toContain(byReporter.id);
  expect(result.deleted).not.toContain(byReader.id);
  // The next warning comes a week before the new date.
  expect((await sweep(addDays(now, 722))).warned).not.toContain(byReporter.id);
  expect((await sweep(addDays(now, 724))).warned).toEqual(expect.arrayContaining([byReporter.id, byReader.id]));
});

test('two runs at once delete each due case once; the CLI listed exactly those', async () => {
  // Whatever earlier tests left due is taken first, so that only these cases are due now.
  const now = new Date();
  await sweep(addDays(now, 8));
  const cases = [];
  for (let i = 0; i < 4; i += 1) cases.push(await closedSecurityCase(`Case ${i} of a concurrent run.`));
  for (const c of cases) await agedBy(c.id, 740);
  await sweep(addDays(now, -8)); // warned "8 days ago"
  const held = cases[3]!;
  await placeLegalHold(t.db, member('alice'), held.reference, now);

  const cli = await runIntakeCli(['retention', 'due'], { DATABASE_URL: t.url, DATA_DIR: '/nonexistent' });
  expect(cli.code).toBe(0);
  const lines = cli.stdout.toString().trim().split('\n');
  expect(lines[0]).toMatch(/^REFERENCE\s+KIND\s+DUE\s+HELD$/);
  const listed = lines.slice(1).map((l: string) => l.split(/\s+/));
  expect(listed.map((l) => [l[0], l[1], l[3]]).sort()).toEqual(
    cases.map((c) => [c.reference, 'security', c === held ? 'held' : 'no']).sort(),
  );

  const [a, b] = await Promise.all([sweep(now), sweep(now)]);
  const deleted = [...a.deleted, ...b.deleted];
  expect(new Set(deleted).size).toBe(deleted.length);
  expect(deleted.sort()).toEqual(
    cases
      .filter((c) => c !== held)
      .map((c) => c.id)
      .sort(),
  );
  for (const c of cases) {
    const deletions = (await auditRows(c.id)).filter((r) => r.action === 'retention.content-deleted');
    expect(deletions.length).toBe(c === held ? 0 : 1);
  }
  const after = await runIntakeCli(['retention', 'due'], { DATABASE_URL: t.url, DATA_DIR: '/nonexistent' });
  expect(
    after.stdout
      .toString()
      .trim()
      .split('\n')
      .slice(1)
      .map((l: string) => l.split(/\s+/)[0]),
  ).toEqual([held.reference]);
});
