// The audit log on a real PostgreSQL: the chain, its serialization across connections, the database's
// refusal to change a row, and tampering caught by verifyAuditChain and by `intake audit verify`.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { createKysely } from '../../db/connect';
import type { Database } from '../../db/database';
import { appendAudit, listCaseAudit, sealAuditLog, verifyAuditChain } from '../../server/audit/audit-log';
import { hashAuditRow } from '../../server/audit/audit-chain';
import { scanAuditChain, type AuditRow } from '../../db/audit.queries';
import { exportCaseForMember } from '../../server/cases/cases';
import { removeMember } from '../../server/governance/members';
import { submitPlaintextReport } from '../../server/intake/reports';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey, testArgon2Cost } from '../helpers/keys';
import { runIntakeCli } from '../helpers/cli';

let t: TestDatabase;

beforeEach(async () => {
  t = await createTestDatabase();
});

afterEach(async () => {
  await t.destroy();
});

/** Two approvers (the SRT themselves), one security report (case.created), exported for alice (case.exported). */
async function seed() {
  const alice = await addFixtureMember(t.db, 'alice', 'approver');
  await addFixtureMember(t.db, 'bob', 'approver');
  const { reference } = await submitPlaintextReport(
    t.db,
    { kind: 'security', involvedIds: [], document: 'AUDIT-CANARY the report text', attachments: [] },
    { channel: 'web-no-js', argon2: testArgon2Cost },
  );
  await exportCaseForMember(t.db, reference, fixtureKey('alice').email);
  const { id: caseId } = await t.db
    .selectFrom('cases')
    .select('id')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  return { alice, reference, caseId };
}

async function allRows(db: Kysely<Database> = t.db): Promise<AuditRow[]> {
  await sealAuditLog(db);
  const rows: AuditRow[] = [];
  await scanAuditChain(db, 1000, async (batch) => void rows.push(...batch));
  return rows;
}

/** Runs `statement` with the row trigger disabled, as a superuser could, then turns it back on. */
async function tamper(statement: RawBuilder<unknown>): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`.execute(trx);
    await statement.execute(trx);
    await sql`ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_update_delete`.execute(trx);
  });
}

describe('appending', () => {
  test('the hooks chain member changes, case creation and export, each row linked to the one before', async () => {
    const { alice, reference, caseId } = await seed();
    await removeMember(t.db, fixtureKey('bob').email);
    const rows = await allRows();
    expect(rows.map((r) => [r.action, r.actorLabel])).toEqual([
      ['member.added', 'operator'],
      ['member.added', 'operator'],
      ['case.created', 'reporter'],
      ['case.exported', 'operator'],
      ['member.removed', 'operator'],
    ]);
    expect(rows[0]!.prevHash).toBeNull();
    for (const [index, row] of rows.entries()) {
      if (index > 0) expect(row.prevHash).toEqual(rows[index - 1]!.hash);
      expect(hashAuditRow({ ...row, details: row.details as never })).toEqual(row.hash);
    }
    expect(rows[2]!.details).toEqual({ reference, kind: 'security', channel: 'web-no-js' });
    expect(rows[3]!.details).toEqual({ reference, memberId: alice.id, fingerprint: alice.fingerprint, messages: 1 });
    // Metadata only: no content, no e-mail address, no armored key anywhere in the log.
    const dump = JSON.stringify(rows.map((r) => r.details));
    expect(dump).not.toMatch(/AUDIT-CANARY|@example|BEGIN PGP/);
    expect(await verifyAuditChain(t.db)).toMatchObject({
      ok: true,
      rows: 5,
      headId: rows[4]!.id,
      headHash: rows[4]!.hash!.toString('hex'),
    });
  });

  test("listCaseAudit gives one case's trail, oldest first, with the acting member's name", async () => {
    const { alice, caseId } = await seed();
    await appendAudit(t.db, { caseId, actorMemberId: alice.id, action: 'case.viewed', details: {} });
    await appendAudit(t.db, {
      caseId: null,
      actorMemberId: null,
      actorLabel: 'system',
      action: 'member.invited',
      details: { memberId: alice.id },
    });
    const trail = await listCaseAudit(t.db, caseId);
    expect(trail.map((e) => [e.action, e.actorLabel, e.actorName])).toEqual([
      ['case.created', 'reporter', null],
      ['case.exported', 'operator', null],
      ['case.viewed', 'member', alice.name],
    ]);
    expect(trail[2]!.createdAt.getTime()).toBeGreaterThanOrEqual(trail[0]!.createdAt.getTime());
  });

  test('an append inside a transaction that rolls back leaves no row and no break in the chain', async () => {
    await appendAudit(t.db, {
      caseId: null,
      actorMemberId: null,
      actorLabel: 'system',
      action: 'case.escalated',
      details: { n: 1 },
    });
    const failed = t.db.transaction().execute(async (trx) => {
      await appendAudit(trx, {
        caseId: null,
        actorMemberId: null,
        actorLabel: 'system',
        action: 'case.escalated',
        details: { n: 2 },
      });
      throw new Error('the action failed');
    });
    await expect(failed).rejects.toThrow('the action failed');
    await appendAudit(t.db, {
      caseId: null,
      actorMemberId: null,
      actorLabel: 'system',
      action: 'case.escalated',
      details: { n: 3 },
    });
    expect((await allRows()).map((r) => r.details)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 2 });
  });

  test('details that jsonb normalizes (key order, number forms, unicode) still verify', async () => {
    const details = { z: 1, a: [1.5, 'é ✓ 𝄞', null, true], nested: { b: 1e21, a: -0, c: 5e-324, d: 0.1 + 0.2 } };
    await appendAudit(t.db, {
      caseId: null,
      actorMemberId: null,
      actorLabel: 'system',
      action: 'case.escalated',
      details,
    });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 1 });
  });

  test('content-like details are refused before anything is written', async () => {
    const append = (details: Record<string, never | string>) =>
      appendAudit(t.db, { caseId: null, actorMemberId: null, actorLabel: 'system', action: 'case.escalated', details });
    await expect(append({ body: 'x' })).rejects.toThrow(/never content/);
    await expect(append({ note: 'x'.repeat(513) })).rejects.toThrow(/longer than 512/);
    await expect(
      appendAudit(t.db, { caseId: null, actorMemberId: null, action: 'case.viewed', details: {} }),
    ).rejects.toThrow(/needs an actor/);
    expect(await allRows()).toEqual([]);
  });
});

describe('several app instances appending at once', () => {
  test('50 concurrent transactions over five pools keep one unbroken chain', async () => {
    const pools = Array.from({ length: 5 }, () => createKysely(t.url, 10));
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          pools[n % pools.length]!.transaction().execute(async (trx) => {
            await sql`SELECT pg_sleep(0.002)`.execute(trx); // the caller's own work before it audits
            await appendAudit(trx, {
              caseId: null,
              actorMemberId: null,
              actorLabel: 'system',
              action: 'case.escalated',
              details: { n },
            });
          }),
        ),
      );
    } finally {
      await Promise.all(pools.map((pool) => pool.destroy()));
    }
    const rows = await allRows();
    expect(rows).toHaveLength(50);
    expect(rows.map((r) => (r.details as { n: number }).n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, n) => n),
    );
    expect(new Set(rows.map((r) => r.prevHash?.toString('hex') ?? 'genesis')).size).toBe(50);
    expect(await verifyAuditChain(t.db, { batchSize: 7 })).toMatchObject({ ok: true, rows: 50 });
  });

  test('the database refuses a fork: a second row naming the same predecessor', async () => {
    await appendAudit(t.db, {
      caseId: null,
      actorMemberId: null,
      actorLabel: 'system',
      action: 'case.escalated',
      details: {},
    });
    await appendAudit(t.db, {
      caseId: null,
      actorMemberId: null,
      actorLabel: 'system',
      action: 'case.escalated',
      details: {},
    });
    const [first] = await allRows();
    const fork = sql`INSERT INTO audit_log (actor_label, action, prev_hash, hash) VALUES ('system', 'case.escalated', ${first!.hash}, ${Buffer.alloc(32, 1)})`;
    await expect(fork.execute(t.db)).rejects.toMatchObject({ code: '23505' });
    const secondGenesis = sql`INSERT INTO audit_log (actor_label, action, prev_hash, hash) VALUES ('system', 'case.escalated', NULL, ${Buffer.alloc(32, 2)})`;
    await expect(secondGenesis.execute(t.db)).rejects.toMatchObject({ code: '23505' });
  });
});

describe('the database refuses to change the log', () => {
  beforeEach(async () => {
    await seed();
  });

  test.each([
    ['UPDATE', sql`UPDATE audit_log SET action = 'case.viewed'`],
    ['DELETE', sql`DELETE FROM audit_log`],
    ['TRUNCATE', sql`TRUNCATE audit_log`],
  ])('%s is refused', async (operation, statement) => {
    await expect(statement.execute(t.db)).rejects.toMatchObject({
      code: '42501',
      message: `audit_log is append-only: ${operation} refused`,
    });
    expect(await allRows()).toHaveLength(4);
  });

  test('sealing may not change a row, and a sealed row cannot be sealed again', async () => {
    const zero = sql`decode(repeat('00', 32), 'hex')`;
    const altered = sql`UPDATE audit_log SET hash = ${zero}, chain_seq = 999, details = '{"to":"closed"}' WHERE hash IS NULL`;
    await expect(altered.execute(t.db)).rejects.toMatchObject({ code: '42501' });
    await sealAuditLog(t.db);
    const resealed = sql`UPDATE audit_log SET hash = ${zero}, chain_seq = chain_seq + 1000`;
    await expect(resealed.execute(t.db)).rejects.toMatchObject({ code: '42501' });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, rows: 4 });
  });

  test('session_replication_role = replica does not switch the triggers off', async () => {
    const attempt = t.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await sql`DELETE FROM audit_log`.execute(trx);
    });
    await expect(attempt).rejects.toMatchObject({ code: '42501' });
  });
});

describe('tampering is caught', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-audit-'));
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  const intakeAuditVerify = () => runIntakeCli(['audit', 'verify'], { DATABASE_URL: t.url, DATA_DIR: dataDir });

  test('a row whose details were altered is named by verifyAuditChain and by `intake audit verify`', async () => {
    const { reference } = await seed();
    const intact = await intakeAuditVerify();
    expect({ code: intact.code, stdout: intact.stdout.toString(), stderr: intact.stderr }).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^audit chain intact: 4 rows\nhead: row \d+, sha256 [0-9a-f]{64}\n$/),
      stderr: expect.any(String),
    });

    const created = (await allRows()).find((r) => r.action === 'case.created')!;
    await tamper(
      sql`UPDATE audit_log SET details = jsonb_set(details, '{channel}', '"email"') WHERE id = ${created.id}`,
    );
    expect(await verifyAuditChain(t.db)).toEqual({
      ok: false,
      rows: 2,
      firstBrokenId: created.id,
      caseId: created.caseId,
      caseReference: reference,
      reason: expect.stringMatching(/hash does not match its contents/),
    });

    const broken = await intakeAuditVerify();
    expect(broken.code).toBe(1);
    expect(broken.stdout.toString()).toContain(
      `audit chain BROKEN at row ${created.id} (case ${reference}): its hash does not match`,
    );
  });

  test('a removed row is caught at the row after it', async () => {
    await seed();
    const rows = await allRows();
    await tamper(sql`DELETE FROM audit_log WHERE id = ${rows[1]!.id}`);
    expect(await verifyAuditChain(t.db)).toMatchObject({
      ok: false,
      rows: 1,
      firstBrokenId: rows[2]!.id,
      reason: expect.stringMatching(/does not link to row/),
    });
  });

  test('a row rewritten with a recomputed hash is caught at the row after it', async () => {
    await seed();
    const rows = await allRows();
    const forged = { ...rows[1]!, actorLabel: 'system', details: rows[1]!.details as never };
    await tamper(
      sql`UPDATE audit_log SET actor_label = 'system', hash = ${hashAuditRow(forged)} WHERE id = ${rows[1]!.id}`,
    );
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, rows: 2, firstBrokenId: rows[2]!.id });
  });

  test('removing the first row is caught', async () => {
    await seed();
    const rows = await allRows();
    await tamper(sql`DELETE FROM audit_log WHERE id = ${rows[0]!.id}`);
    expect(await verifyAuditChain(t.db)).toMatchObject({
      ok: false,
      rows: 0,
      firstBrokenId: rows[1]!.id,
      reason: expect.stringMatching(/first row/),
    });
  });
});
