// Grants by re-wrapping on a real PostgreSQL (issue 10 §1): who has a pending grant, who may fulfil
// it, what the server refuses to store, failed grants going back to pending for another reader,
// revocation, and every granted packet decrypted by stock gpg with the grantee's key.
import type { MemberWithKey } from '../../db/members.queries';
import { insertGrantedPackets, lockMemberGrantee, pendingGrants } from '../../db/grants.queries';
import { assembleMessage, encryptSplit } from '../../crypto/split-message';
import { readPublicKey } from '../../crypto/keys';
import { createSessionKeyRewrapper } from '../../crypto/session-key-grant';
import { addCaseReader, removeCaseReader } from '../../server/governance/access';
import {
  fulfilGrant,
  grantTasks,
  casesToGrant,
  reportFailedGrants,
  type GrantTask,
} from '../../server/governance/grants';
import { setMemberKey } from '../../server/governance/members';
import { addCaseMessage } from '../../server/cases/case-messages';
import { caseRecipients } from '../../server/cases/case-messages';
import { rewrapForGrantee } from '../../server/browser/grants';
import { silentCaseEvents } from '../../server/cases/case-events';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, encryptArmored, signedIn, submitReport } from '../helpers/dashboard';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { addFixtureMember, fixtureKey, fixturePrivateKey, type GoodKeyName } from '../helpers/keys';

let t: TestDatabase;
let gpg: GnupgHome;
const m: Partial<Record<GoodKeyName, MemberWithKey>> = {};
let caseA: { id: string; reference: string };
let caseB: { id: string; reference: string };

beforeAll(async () => {
  t = await createTestDatabase();
  gpg = await createGnupgHome();
  m.alice = await addFixtureMember(t.db, 'alice', 'approver');
  m.bob = await addFixtureMember(t.db, 'bob', 'approver');
  m.carol = await addFixtureMember(t.db, 'carol', 'approver');
  m.frank = await addFixtureMember(t.db, 'frank', 'liaison');
  m.erin = await addFixtureMember(t.db, 'erin', 'liaison');
  caseA = await submitReport(t.db, 'coc', 'First case: the report.');
  caseB = await submitReport(t.db, 'coc', 'Second case: another report.');
  // A comment, encrypted to the readers as the dashboard's bundle does it.
  const readers = await caseRecipients(t.db, caseA.id);
  await addCaseMessage(
    t.db,
    signedIn(m.alice),
    caseA.reference,
    'comment',
    await encryptArmored(
      'A note for the readers.',
      readers.map((r) => r.armoredKey),
    ),
    silentCaseEvents,
  );
  for (const name of ['frank', 'erin', 'gina', 'bob'] as const) await gpg.importKey(fixtureKey(name).secretKey);
});
afterAll(async () => {
  await gpg?.destroy();
  await t?.destroy();
});

const addReader = (caseId: string, member: MemberWithKey) =>
  t.db
    .transaction()
    .execute((trx) => addCaseReader(trx, caseId, member.id, 'liaison', { actorMemberId: null, actorLabel: 'system' }));

async function fulfilAs(name: GoodKeyName, reference: string): Promise<number> {
  const member = signedIn(m[name]!);
  const { grantees } = await grantTasks(t.db, member, reference);
  const key = await fixturePrivateKey(name);
  let stored = 0;
  for (const task of grantees) {
    const packets = await rewrapForGrantee(key, task);
    stored += (await fulfilGrant(t.db, member, reference, { grantee: task.grantee, packets }, silentCaseEvents)).stored;
  }
  return stored;
}

/** Every message of the case that this member's current key has a packet for, decrypted with gpg. */
async function gpgReadable(caseId: string, memberId: string): Promise<string[]> {
  const rows = await t.db
    .selectFrom('session_keys as k')
    .innerJoin('messages as msg', 'msg.id', 'k.message_id')
    .innerJoin('member_keys as mk', (j) => j.onRef('mk.id', '=', 'k.member_key_id').on('mk.retired_at', 'is', null))
    .select(['k.packet', 'msg.body', 'msg.created_at'])
    .where('msg.case_id', '=', caseId)
    .where('mk.member_id', '=', memberId)
    .orderBy('msg.created_at')
    .execute();
  const out: string[] = [];
  for (const r of rows) out.push((await gpg.decrypt(await assembleMessage(r.packet, r.body))).toString('utf8'));
  return out;
}

const pendingFor = async (caseId: string, memberId: string) =>
  (await pendingGrants(t.db, caseId)).find((p) => p.grantee.kind === 'member' && p.grantee.memberId === memberId);

test('a new reader has a pending grant for every message; a reader fulfils it and gpg decrypts each with the grantee key', async () => {
  expect(await pendingFor(caseA.id, m.frank!.id)).toBeUndefined();
  await addReader(caseA.id, m.frank!);
  const pending = await pendingFor(caseA.id, m.frank!.id);
  expect(pending?.messages).toHaveLength(2);
  expect(pending?.encryptionKeyId).toBe(m.frank!.encryptionKeyId);
  // Only cases the member reads are listed to it; caseB has no pending grant.
  expect(await casesToGrant(t.db, signedIn(m.bob!))).toEqual([caseA.reference]);

  expect(await fulfilAs('bob', caseA.reference)).toBe(2);
  expect(await pendingFor(caseA.id, m.frank!.id)).toBeUndefined();
  const texts = await gpgReadable(caseA.id, m.frank!.id);
  expect(texts).toHaveLength(2);
  expect(texts[1]).toBe('A note for the readers.');
  expect(texts[0]).toContain('First case: the report.');

  const audit = await t.db
    .selectFrom('audit_log')
    .select(['actor_member_id', 'details'])
    .where('action', '=', 'access.granted')
    .execute();
  expect(audit).toEqual([{ actor_member_id: m.bob!.id, details: { memberId: m.frank!.id, messages: 2 } }]);
});

test('a liaison never fulfils a grant, and nobody fulfils their own', async () => {
  await addReader(caseB.id, m.frank!);
  await addReader(caseB.id, m.erin!);
  // frank reads caseA in full now, and could re-wrap; he is a liaison.
  expect(await casesToGrant(t.db, signedIn(m.frank!))).toEqual([]);
  expect((await grantTasks(t.db, signedIn(m.frank!), caseB.reference)).grantees).toEqual([]);
  const task = (await grantTasks(t.db, signedIn(m.alice!), caseB.reference)).grantees.find((g) =>
    g.grantee.endsWith(m.erin!.id),
  )!;
  const packets = await rewrapForGrantee(await fixturePrivateKey('alice'), task);
  const refused = await domainErrorOf(
    fulfilGrant(t.db, signedIn(m.frank!), caseB.reference, { grantee: task.grantee, packets }, silentCaseEvents),
  );
  expect(refused.kind).toBe('forbidden');
  // alice's own grant is not hers to fulfil.
  const self = await domainErrorOf(
    fulfilGrant(
      t.db,
      signedIn(m.alice!),
      caseB.reference,
      { grantee: `member:${m.alice!.id}`, packets },
      silentCaseEvents,
    ),
  );
  expect(self.kind).toBe('forbidden');
  expect((await grantTasks(t.db, signedIn(m.alice!), caseB.reference)).grantees.map((g) => g.grantee).sort()).toEqual(
    [`member:${m.erin!.id}`, `member:${m.frank!.id}`].sort(),
  );
});

describe('the server refuses packets it must not store', () => {
  let task: GrantTask;
  let good: { messageId: string; packet: string }[];
  const post = (body: Record<string, unknown>, reference = caseB.reference) =>
    domainErrorOf(fulfilGrant(t.db, signedIn(m.alice!), reference, body, silentCaseEvents));
  const packetsOnFile = async () =>
    (
      await t.db
        .selectFrom('session_keys')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  beforeAll(async () => {
    task = (await grantTasks(t.db, signedIn(m.alice!), caseB.reference)).grantees.find((g) =>
      g.grantee.endsWith(m.frank!.id),
    )!;
    good = await rewrapForGrantee(await fixturePrivateKey('alice'), task);
  });

  test('a packet addressed to another key than the grantee’s current one', async () => {
    const forErin = await rewrapForGrantee(await fixturePrivateKey('alice'), {
      ...task,
      publicKey: m.erin!.armoredKey,
      encryptionKeyId: m.erin!.encryptionKeyId,
    });
    const before = await packetsOnFile();
    expect((await post({ grantee: task.grantee, packets: forErin })).message).toMatch(/not addressed to the grantee/);
    expect(await packetsOnFile()).toBe(before);
  });

  test('two packets in one, a body instead of a packet, garbage, nothing', async () => {
    const two = Buffer.concat([Buffer.from(good[0]!.packet, 'base64'), Buffer.from(good[0]!.packet, 'base64')]);
    const split = await encryptSplit({ data: 'x', recipients: [await readPublicKey(m.frank!.armoredKey)] });
    for (const packet of [two.toString('base64'), Buffer.from(split.body).toString('base64'), 'AAAA', ''])
      expect((await post({ grantee: task.grantee, packets: [{ messageId: good[0]!.messageId, packet }] })).kind).toBe(
        'bad-input',
      );
    expect((await post({ grantee: task.grantee, packets: [] })).kind).toBe('bad-input');
    expect((await post({ grantee: task.grantee, packets: [good[0], good[0]] })).message).toMatch(/twice/);
  });

  test('a message of another case', async () => {
    const other = (await t.db.selectFrom('messages').select('id').where('case_id', '=', caseA.id).execute())[0]!.id;
    const made = (
      await rewrapForGrantee(await fixturePrivateKey('alice'), {
        ...task,
        messages: [{ id: other, packet: good[0]!.packet }],
      })
    ).length;
    expect(made).toBe(0);
    const wrong = [{ messageId: other, packet: good[0]!.packet }];
    expect((await post({ grantee: task.grantee, packets: wrong })).message).toMatch(
      /not addressed|not part of this case/,
    );
    // Even a correctly addressed packet for frank is refused under the wrong case.
    expect((await post({ grantee: task.grantee, packets: good }, caseA.reference)).message).toMatch(
      /not part of this case/,
    );
  });

  test('prototype-name keys and NUL characters are plain bad input, never a crash', async () => {
    const hostile = JSON.parse('{"__proto__": {"grantee": "x"}, "constructor": 1, "packets": {"__proto__": []}}');
    expect((await post(hostile)).kind).toBe('bad-input');
    expect((await post({ grantee: `member:${m.frank!.id}\u0000`, packets: good })).kind).toBe('bad-input');
    expect(
      (
        await post({
          grantee: task.grantee,
          packets: [{ messageId: `${good[0]!.messageId}\u0000`, packet: good[0]!.packet }],
        })
      ).kind,
    ).toBe('bad-input');
    expect((await post({ grantee: '__proto__', packets: good })).kind).toBe('bad-input');
  });

  test('a grantee that no longer reads the case', async () => {
    await t.db
      .transaction()
      .execute((trx) =>
        removeCaseReader(trx, caseB.id, m.frank!.id, 'liaison-ended', { actorMemberId: null, actorLabel: 'system' }),
      );
    expect((await post({ grantee: task.grantee, packets: good })).kind).toBe('conflict');
    await addReader(caseB.id, m.frank!);
  });
});

test('a grant that does not decrypt goes back to pending, for another reader than the one who made it', async () => {
  // alice "grants" erin caseB's report with the session key of the wrong message (caseA's report).
  const caseBReport = (await t.db.selectFrom('messages').select('id').where('case_id', '=', caseB.id).execute())[0]!.id;
  const caseAReport = (
    await t.db.selectFrom('messages').select('id').where('case_id', '=', caseA.id).orderBy('created_at').execute()
  )[0]!.id;
  const alicePacket = await t.db
    .selectFrom('session_keys')
    .select('packet')
    .where('message_id', '=', caseAReport)
    .where('member_key_id', '=', m.alice!.memberKeyId)
    .executeTakeFirstOrThrow();
  const rewrap = await createSessionKeyRewrapper({
    decryptionKey: await fixturePrivateKey('alice'),
    recipients: [await readPublicKey(m.erin!.armoredKey)],
  });
  const [wrong] = await rewrap(alicePacket.packet);
  const stored = await fulfilGrant(
    t.db,
    signedIn(m.alice!),
    caseB.reference,
    {
      grantee: `member:${m.erin!.id}`,
      packets: [{ messageId: caseBReport, packet: Buffer.from(wrong!.packet).toString('base64') }],
    },
    silentCaseEvents,
  );
  expect(stored.stored).toBe(1);
  expect(await pendingFor(caseB.id, m.erin!.id)).toBeUndefined();

  // erin's browser cannot decrypt it and says so.
  expect(await reportFailedGrants(t.db, signedIn(m.erin!), caseB.reference, { messageIds: [caseBReport] })).toEqual({
    withdrawn: 1,
  });
  expect((await pendingFor(caseB.id, m.erin!.id))?.messages.map((x) => x.messageId)).toEqual([caseBReport]);
  const failure = await t.db.selectFrom('grant_failures').selectAll().executeTakeFirstOrThrow();
  expect(failure).toMatchObject({
    message_id: caseBReport,
    granted_by_member_id: m.alice!.id,
    recipient_fingerprint: m.erin!.fingerprint,
  });
  // alice is not asked again for it; carol is, and hers decrypts.
  const aliceTasks = (await grantTasks(t.db, signedIn(m.alice!), caseB.reference)).grantees;
  expect(aliceTasks.find((g) => g.grantee.endsWith(m.erin!.id))).toBeUndefined();
  expect(await fulfilAs('carol', caseB.reference)).toBeGreaterThanOrEqual(1);
  expect(await gpgReadable(caseB.id, m.erin!.id)).toEqual([expect.stringContaining('Second case: another report.')]);
  // A packet made with the message cannot be "reported" away.
  expect(await reportFailedGrants(t.db, signedIn(m.alice!), caseB.reference, { messageIds: [caseBReport] })).toEqual({
    withdrawn: 0,
  });
  const actions = await t.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'access.grant-failed')
    .execute();
  expect(actions).toEqual([{ details: { memberId: m.erin!.id, messages: 1, grantedByMemberId: m.alice!.id } }]);
});

test('a replaced key has a pending grant for every earlier message, fulfilled end to end', async () => {
  await setMemberKey(t.db, m.bob!.email, fixtureKey('gina').publicKey, { by: 'operator', allowUidMismatch: true });
  const pending = await pendingFor(caseA.id, m.bob!.id);
  expect(pending?.messages).toHaveLength(2);
  expect(pending?.fingerprint).toBe(fixtureKey('gina').fingerprint);
  expect(await fulfilAs('alice', caseA.reference)).toBe(2);
  expect(await pendingFor(caseA.id, m.bob!.id)).toBeUndefined();
  // bob's current key is gina's key: gpg with it reads both messages.
  expect(await gpgReadable(caseA.id, m.bob!.id)).toHaveLength(2);
});

test('revoking deletes exactly that reader’s packets on that case', async () => {
  const count = async (memberId: string, caseId: string) =>
    Number(
      (
        await t.db
          .selectFrom('session_keys as k')
          .innerJoin('messages as msg', 'msg.id', 'k.message_id')
          .innerJoin('member_keys as mk', 'mk.id', 'k.member_key_id')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('mk.member_id', '=', memberId)
          .where('msg.case_id', '=', caseId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  await fulfilAs('alice', caseB.reference);
  const before = {
    frankA: await count(m.frank!.id, caseA.id),
    frankB: await count(m.frank!.id, caseB.id),
    aliceA: await count(m.alice!.id, caseA.id),
  };
  expect(before.frankA).toBe(2);
  expect(before.frankB).toBe(1);
  await t.db
    .transaction()
    .execute((trx) =>
      removeCaseReader(trx, caseA.id, m.frank!.id, 'liaison-ended', { actorMemberId: null, actorLabel: 'system' }),
    );
  expect(await count(m.frank!.id, caseA.id)).toBe(0);
  expect(await count(m.frank!.id, caseB.id)).toBe(1);
  expect(await count(m.alice!.id, caseA.id)).toBe(before.aliceA);
  expect(await pendingFor(caseA.id, m.frank!.id)).toBeUndefined();
  const audit = await t.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'access.revoked')
    .where('case_id', '=', caseA.id)
    .execute();
  expect(audit).toEqual([{ details: { memberId: m.frank!.id, reason: 'liaison-ended', packets: 2 } }]);
});

test('a revocation during a grant being stored waits for it and deletes its packets too', async () => {
  const found = await submitReport(t.db, 'coc', 'Revoked while granted.');
  await addReader(found.id, m.erin!);
  const task = (await grantTasks(t.db, signedIn(m.alice!), found.reference)).grantees.find((g) =>
    g.grantee.endsWith(m.erin!.id),
  )!;
  const packets = await rewrapForGrantee(await fixturePrivateKey('alice'), task);
  // The grant's transaction holds erin's reader row while it stores; the revocation starts meanwhile.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const granting = t.db.transaction().execute(async (trx) => {
    const eligible = await lockMemberGrantee(trx, found.id, m.erin!.id);
    await insertGrantedPackets(
      trx,
      packets.map((p) => ({
        messageId: p.messageId,
        recipientFingerprint: eligible!.fingerprint,
        memberKeyId: eligible!.memberKeyId,
        committeeKeyId: null,
        packet: Buffer.from(p.packet, 'base64'),
        grantedByMemberId: m.alice!.id,
      })),
      new Date(),
    );
    await held;
  });
  await new Promise((r) => setTimeout(r, 100));
  const revoking = t.db
    .transaction()
    .execute((trx) =>
      removeCaseReader(trx, found.id, m.erin!.id, 'liaison-ended', { actorMemberId: null, actorLabel: 'system' }),
    );
  await new Promise((r) => setTimeout(r, 200));
  release();
  await Promise.all([granting, revoking]);
  const left = await t.db
    .selectFrom('session_keys as k')
    .innerJoin('messages as msg', 'msg.id', 'k.message_id')
    .select('k.message_id')
    .where('msg.case_id', '=', found.id)
    .where('k.member_key_id', '=', m.erin!.memberKeyId)
    .execute();
  expect(left).toEqual([]);
});
