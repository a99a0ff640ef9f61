// The operator's actions on sign-in and on the intake key are in the audit chain, by the operator:
// an invitation and an auth reset through the CLI as a subprocess, a key rotation, import and
// reissue through the workflow functions the CLI calls. Each row names ids and fingerprints, never
// an e-mail address or a link.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifyAuditChain } from '../../server/audit/audit-log';
import {
  createIntakeKeyIfNone,
  importAsIntakeKey,
  reissueIntakeKey,
  rotateIntakeKey,
} from '../../server/intake-key/intake-keys';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey, testArgon2Cost } from '../helpers/keys';
import { runIntakeCli } from '../helpers/cli';
import type { ProcessResult } from '../helpers/run-process';

const PASSPHRASE = 'a passphrase for the intake key';
const IDENTITIES = [{ name: 'Test security reports', email: 'security@intake.test' }];
let t: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-operator-audit-'));
});

afterAll(async () => {
  await t.destroy();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const intake = (...args: string[]): Promise<ProcessResult> =>
  runIntakeCli(args, {
    DATABASE_URL: t.url,
    DATA_DIR: dataDir,
    PUBLIC_URL: 'https://intake.example.org/',
    SMTP_URL: '',
  });

async function rowsOf(action: string) {
  return t.db
    .selectFrom('audit_log')
    .select(['case_id', 'actor_member_id', 'actor_label', 'details'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();
}

test('an invitation and an auth reset from the CLI each append an operator row naming the member by id', async () => {
  const carol = await addFixtureMember(t.db, 'carol', 'approver');
  const invited = await intake('member', 'invite', carol.email);
  expect(invited.code).toBe(0);
  const reset = await intake('member', 'reset-auth', carol.email);
  expect(reset.code).toBe(0);

  const [invitation] = await rowsOf('member.invited');
  expect(invitation).toMatchObject({
    case_id: null,
    actor_member_id: null,
    actor_label: 'operator',
    details: { memberId: carol.id },
  });
  expect(Date.parse((invitation!.details as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now());
  const [resetRow] = await rowsOf('member.auth-reset');
  expect(resetRow).toMatchObject({
    case_id: null,
    actor_member_id: null,
    actor_label: 'operator',
    details: { memberId: carol.id, sessionsEnded: 0 },
  });

  const written = JSON.stringify([invitation, resetRow]);
  expect(written).not.toContain(carol.email);
  expect(written).not.toContain(invited.stdout.toString().trim());
  expect(written).not.toContain(reset.stdout.toString().trim());
});

test('rotating, importing and reissuing the intake key each append an operator row with the fingerprints', async () => {
  const first = (await createIntakeKeyIfNone(t.db, {
    identities: IDENTITIES,
    passphrase: PASSPHRASE,
    argon2: testArgon2Cost,
  }))!;
  const rotated = await rotateIntakeKey(t.db, {
    identities: IDENTITIES,
    passphrase: PASSPHRASE,
    graceDays: 30,
    argon2: testArgon2Cost,
  });
  const frank = fixtureKey('frank');
  const imported = await importAsIntakeKey(t.db, {
    armoredKey: frank.secretKey,
    passphrase: PASSPHRASE,
    graceDays: 0,
    argon2: testArgon2Cost,
  });
  const reissued = await reissueIntakeKey(t.db, {
    identities: IDENTITIES,
    passphrase: PASSPHRASE,
    force: true,
    argon2: testArgon2Cost,
  });

  const operator = { case_id: null, actor_member_id: null, actor_label: 'operator' };
  expect(await rowsOf('intake-key.rotated')).toEqual([
    {
      ...operator,
      details: {
        fingerprint: rotated.fingerprint,
        retiredFingerprint: first,
        decryptUntil: rotated.decryptUntil.toISOString(),
      },
    },
  ]);
  expect(imported.fingerprint).toBe(frank.fingerprint);
  expect(await rowsOf('intake-key.imported')).toEqual([
    {
      ...operator,
      details: {
        fingerprint: frank.fingerprint,
        retiredFingerprint: rotated.fingerprint,
        decryptUntil: imported.decryptUntil.toISOString(),
      },
    },
  ]);
  expect(await rowsOf('intake-key.reissued')).toEqual([
    {
      ...operator,
      details: { fingerprint: reissued.fingerprint, retiredFingerprint: frank.fingerprint, forced: true },
    },
  ]);

  expect((await verifyAuditChain(t.db)).ok).toBe(true);
});
