// Comments and replies written in a reader's browser: the server stores only ciphertext, and only when
// it is addressed to exactly the case's readers (a comment) or the readers and the reporter (a reply).
import type { MemberWithKey } from '../../db/members.queries';
import { caseTimeline } from '../../db/case-view.queries';
import { decryptSplit } from '../../crypto/split-message';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import { addCaseMessage, messageRecipients } from '../../server/cases/case-messages';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, encryptArmored, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey, fixturePrivateKey, type GoodKeyName } from '../helpers/keys';
import { addCast, fingerprintsOf } from '../helpers/stored-case';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
let report: { reference: string; id: string };
let reporter: { fingerprint: string; publicKey: string };
const events = recordingEvents();

beforeAll(async () => {
  t = await createTestDatabase();
  // alice and bob are the SRT and read the case; carol, an approver, does not.
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver' });
  report = await submitReport(t.db, 'security', 'Token leak in the debug endpoint.');
  reporter = (await messageRecipients(t.db, alice(), report.reference, 'reply')).reporter!;
});
afterAll(async () => {
  await t.destroy();
});

const alice = () => signedIn(cast.alice as MemberWithKey);
const keysOf = (...names: GoodKeyName[]) => names.map((name) => fixtureKey(name).publicKey);

/** The recipients' fingerprints and member-key ids of a stored message's session-key packets. */
async function packetsOf(messageId: string) {
  return t.db
    .selectFrom('session_keys')
    .select(['recipient_fingerprint', 'member_key_id'])
    .where('message_id', '=', messageId)
    .execute();
}

test('the recipients of a comment are the readers; of a reply, the readers and the reporter key', async () => {
  const comment = await messageRecipients(t.db, alice(), report.reference, 'comment');
  expect(comment.readers.map((r) => r.fingerprint).sort()).toEqual(fingerprintsOf(['alice', 'bob']));
  expect(comment.readers.map((r) => r.name).sort()).toEqual([cast.alice!.name, cast.bob!.name].sort());
  expect(comment.reporter).toBeNull();
  const reply = await messageRecipients(t.db, alice(), report.reference, 'reply');
  expect(reply.readers).toEqual(comment.readers);
  expect(reply.reporter!.publicKey).toContain('BEGIN PGP PUBLIC KEY BLOCK');
  const { reporter_fingerprint } = await t.db
    .selectFrom('cases')
    .select('reporter_fingerprint')
    .where('id', '=', report.id)
    .executeTakeFirstOrThrow();
  expect(reply.reporter!.fingerprint).toBe(reporter_fingerprint);
});

test('a comment encrypted to every reader is stored with one packet per reader and none for the reporter', async () => {
  const message = await encryptArmored('Reproduced on 1.4.1; CVSS draft in the tracker.', keysOf('alice', 'bob'));
  const { id } = await addCaseMessage(t.db, alice(), report.reference, 'comment', message, events);
  const packets = await packetsOf(id);
  expect(packets.map((p) => p.recipient_fingerprint).sort()).toEqual(fingerprintsOf(['alice', 'bob']));
  expect(packets.map((p) => p.member_key_id).sort()).toEqual([cast.alice!.memberKeyId, cast.bob!.memberKeyId].sort());
  expect(packets.map((p) => p.recipient_fingerprint)).not.toContain(reporter.fingerprint);
  expect(events.calls.at(-1)).toBe(`messageAdded:${report.id}:${cast.alice!.id}`);
  expect((await listCaseAudit(t.db, report.id)).at(-1)).toMatchObject({
    action: 'case.comment-added',
    actorMemberId: cast.alice!.id,
    details: { messageId: id },
  });

  // The other reader decrypts it with the key in their own hands; the body is stored once, not in the clear.
  const entry = (await caseTimeline(t.db, report.id, cast.bob!.id)).find((m) => m.id === id)!;
  expect(entry).toMatchObject({ role: 'comment', authorName: cast.alice!.name });
  expect(entry.body.toString('latin1')).not.toContain('Reproduced');
  const { data } = await decryptSplit({
    sessionKeyPacket: entry.packet!,
    body: entry.body,
    decryptionKey: await fixturePrivateKey('bob'),
  });
  expect(data).toBe('Reproduced on 1.4.1; CVSS draft in the tracker.');
  // carol cannot, with her own key, even given the body.
  const alicesPacket = (await caseTimeline(t.db, report.id, cast.alice!.id)).find((m) => m.id === id)!.packet!;
  await expect(
    decryptSplit({ sessionKeyPacket: alicesPacket, body: entry.body, decryptionKey: await fixturePrivateKey('carol') }),
  ).rejects.toThrow();
});

describe('refused, and nothing stored', () => {
  test.each<[string, 'comment' | 'reply', () => Promise<string>, RegExp]>([
    [
      'a comment that includes the reporter key',
      'comment',
      async () => encryptArmored('Hi', [...keysOf('alice', 'bob'), reporter.publicKey]),
      /may not read this case/,
    ],
    [
      'a comment missing a reader',
      'comment',
      async () => encryptArmored('Hi', keysOf('alice')),
      /not encrypted to every routed reader/,
    ],
    [
      'a comment to a member who is not a reader',
      'comment',
      async () => encryptArmored('Hi', keysOf('alice', 'bob', 'carol')),
      /may not read this case/,
    ],
    [
      'a reply without the reporter',
      'reply',
      async () => encryptArmored('Hi', keysOf('alice', 'bob')),
      /not encrypted to the reporter key/,
    ],
    [
      'a reply missing a reader',
      'reply',
      async () => encryptArmored('Hi', [...keysOf('bob'), reporter.publicKey]),
      /not encrypted to every routed reader/,
    ],
    ['plaintext', 'comment', async () => 'Reproduced on 1.4.1.', /not a usable OpenPGP message/],
    ['an armored public key', 'reply', async () => fixtureKey('alice').publicKey, /not a usable OpenPGP message/],
  ])('%s', async (_what, role, build, reason) => {
    const message = await build();
    const before = {
      rows: await countCaseRows(t.db),
      audit: (await listCaseAudit(t.db, report.id)).length,
      events: events.calls.length,
    };
    const error = await domainErrorOf(addCaseMessage(t.db, alice(), report.reference, role, message, events));
    expect(error.kind).toBe('bad-input');
    expect(error.message).toMatch(reason);
    expect({
      rows: await countCaseRows(t.db),
      audit: (await listCaseAudit(t.db, report.id)).length,
      events: events.calls.length,
    }).toEqual(before);
  });
});

test('a reply to the readers and the reporter is stored with a packet for each; the reporter key has no member key', async () => {
  const message = await encryptArmored('Thanks — can you share the exact request?', [
    ...keysOf('alice', 'bob'),
    reporter.publicKey,
  ]);
  const { id } = await addCaseMessage(t.db, alice(), report.reference, 'reply', message, events);
  const packets = await packetsOf(id);
  expect(packets.map((p) => p.recipient_fingerprint).sort()).toEqual(
    fingerprintsOf(['alice', 'bob'], reporter.fingerprint),
  );
  expect(packets.find((p) => p.recipient_fingerprint === reporter.fingerprint)!.member_key_id).toBeNull();
  const entry = (await caseTimeline(t.db, report.id, cast.alice!.id)).find((m) => m.id === id)!;
  const { data } = await decryptSplit({
    sessionKeyPacket: entry.packet!,
    body: entry.body,
    decryptionKey: await fixturePrivateKey('alice'),
  });
  expect(data).toBe('Thanks — can you share the exact request?');
  expect((await listCaseAudit(t.db, report.id)).at(-1)).toMatchObject({
    action: 'case.reply-added',
    details: { messageId: id },
  });
  expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
});

test('the timeline shows every message, with a packet only where the member has one', async () => {
  const timeline = await caseTimeline(t.db, report.id, cast.bob!.id);
  expect(timeline.map((m) => m.role)).toEqual(['report', 'comment', 'reply']);
  expect(timeline.every((m) => m.packet !== null)).toBe(true);
  expect((await caseTimeline(t.db, report.id, cast.carol!.id)).every((m) => m.packet === null)).toBe(true);
});
