// The reporter's side, found by the receipt alone: with JavaScript the browser gets ciphertext and the
// locked reporter key; without it the server unlocks in memory. Either way the reporter reads the
// report and the replies (never the responders' comments) and answers to every reader.
import crypto from 'node:crypto';
import type { MemberWithKey } from '../../db/members.queries';
import { caseTimeline } from '../../db/case-view.queries';
import { generateReceipt, receiptLookupHash } from '../../crypto/receipt';
import { unlockReporterKey } from '../../crypto/reporter-key';
import { decryptSplit } from '../../crypto/split-message';
import { listCaseAudit, verifyAuditChain } from '../../server/audit/audit-log';
import { addCaseMessage, messageRecipients } from '../../server/cases/case-messages';
import { moveCase } from '../../server/cases/case-work';
import {
  NO_MATCH,
  addReporterReply,
  followupForBrowser,
  openFollowupWithReceipt,
  replyWithReceipt,
} from '../../server/intake/followup';
import { STATES } from '../../server/cases/workflow';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, encryptArmored, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey, fixturePrivateKey } from '../helpers/keys';
import { addCast, fingerprintsOf } from '../helpers/stored-case';

const REPORT = 'The upload handler follows symlinks.';
const REPLY = 'Confirmed. Which version did you test?';
const COMMENT = 'Internal: looks like CVE-worthy, loop in the release team.';

let t: TestDatabase;
let cast: Awaited<ReturnType<typeof addCast>>;
let report: { reference: string; id: string; receipt: string };
let lookup: string;
let reporterKey: string;
const events = recordingEvents();

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt', carol: 'approver' });
  report = await submitReport(t.db, 'security', REPORT);
  lookup = Buffer.from(await receiptLookupHash(report.receipt)).toString('hex');
  const alice = signedIn(cast.alice as MemberWithKey);
  await moveCase(t.db, alice, report.reference, 'acknowledged');
  const readers = [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey];
  reporterKey = (await messageRecipients(t.db, alice, report.reference, 'reply')).reporter!.publicKey;
  await addCaseMessage(
    t.db,
    alice,
    report.reference,
    'reply',
    await encryptArmored(REPLY, [...readers, reporterKey]),
    events,
  );
  await addCaseMessage(t.db, alice, report.reference, 'comment', await encryptArmored(COMMENT, readers), events);
});
afterAll(async () => {
  await t.destroy();
});

/** What the follow-up page's script does with the JSON: unlock the key with the receipt, decrypt each message. */
async function readInBrowser(followup: Awaited<ReturnType<typeof followupForBrowser>>, receipt: string) {
  const key = await unlockReporterKey(followup.lockedKey!, receipt);
  return Promise.all(
    followup.messages.map(async (m) => ({
      role: m.role,
      text: (
        await decryptSplit({
          sessionKeyPacket: Buffer.from(m.packet, 'base64'),
          body: Buffer.from(m.body, 'base64'),
          decryptionKey: key,
        })
      ).data,
    })),
  );
}

describe('with JavaScript (the lookup hash)', () => {
  test('the browser gets the reporter-facing status and ciphertext it can read: the report and the reply, not the comment', async () => {
    const followup = await followupForBrowser(t.db, lookup);
    expect(followup).toMatchObject({
      reference: report.reference,
      kind: 'security',
      status: STATES.security.acknowledged!.reporterLabel,
    });
    expect(await readInBrowser(followup, report.receipt)).toEqual([
      { role: 'report', text: REPORT },
      { role: 'reply', text: REPLY },
    ]);
    expect(JSON.stringify(followup)).not.toContain('comment');
    // The answer box encrypts to the readers' keys on file and the reporter key.
    expect([...followup.recipients].sort()).toEqual([cast.alice!.armoredKey, cast.bob!.armoredKey, reporterKey].sort());
  });

  test('a wrong or malformed lookup finds nothing, with one message', async () => {
    for (const wrong of [crypto.randomBytes(32).toString('hex'), 'abc', `${lookup}00`, "' OR 1=1 --"]) {
      const error = await domainErrorOf(followupForBrowser(t.db, wrong));
      expect([error.kind, error.message]).toEqual(['not-found', NO_MATCH]);
    }
  });

  test('an answer must be encrypted to every reader and the reporter key; nothing is stored otherwise', async () => {
    const before = await countCaseRows(t.db);
    for (const keys of [
      [fixtureKey('alice').publicKey, reporterKey],
      [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey],
    ]) {
      const error = await domainErrorOf(
        addReporterReply(t.db, lookup, await encryptArmored('More detail.', keys), events),
      );
      expect(error.kind).toBe('bad-input');
    }
    const wrongLookup = await domainErrorOf(
      addReporterReply(t.db, crypto.randomBytes(32).toString('hex'), 'anything', events),
    );
    expect([wrongLookup.kind, wrongLookup.message]).toEqual(['not-found', NO_MATCH]);
    expect(await countCaseRows(t.db)).toEqual(before);

    await addReporterReply(
      t.db,
      lookup,
      await encryptArmored('Version 1.4.1, on Linux.', [
        fixtureKey('alice').publicKey,
        fixtureKey('bob').publicKey,
        reporterKey,
      ]),
      events,
    );
    expect(events.calls.at(-1)).toBe(`messageAdded:${report.id}:null`);
    const latest = (await caseTimeline(t.db, report.id, cast.bob!.id)).at(-1)!;
    expect(latest.role).toBe('reporter-reply');
    expect(
      (
        await decryptSplit({
          sessionKeyPacket: latest.packet!,
          body: latest.body,
          decryptionKey: await fixturePrivateKey('bob'),
        })
      ).data,
    ).toBe('Version 1.4.1, on Linux.');
  });
});

describe('without JavaScript (the receipt, in memory)', () => {
  test('the receipt, however it is typed, unlocks and decrypts the report and the replies', async () => {
    const typed = `  ${report.receipt.toUpperCase().split(' ').join(' - ')} `;
    const followup = await openFollowupWithReceipt(t.db, typed);
    expect(followup.reference).toBe(report.reference);
    expect(followup.status).toBe(STATES.security.acknowledged!.reporterLabel);
    expect(followup.messages.map((m) => [m.role, m.text])).toEqual([
      ['report', REPORT],
      ['reply', REPLY],
      ['reporter-reply', 'Version 1.4.1, on Linux.'],
    ]);
  });

  test('a wrong but well-formed receipt gets exactly the answer a malformed one gets', async () => {
    const wellFormed = await domainErrorOf(openFollowupWithReceipt(t.db, generateReceipt()));
    const malformed = await domainErrorOf(openFollowupWithReceipt(t.db, 'not a receipt at all'));
    const empty = await domainErrorOf(openFollowupWithReceipt(t.db, ''));
    for (const error of [wellFormed, malformed, empty])
      expect([error.kind, error.message]).toEqual(['not-found', NO_MATCH]);
  });

  test('an answer is encrypted to the readers and the reporter key, and a reader decrypts it', async () => {
    const answer = 'I used the default config <and> nothing else.';
    await replyWithReceipt(t.db, report.receipt, answer, events);
    const latest = (await caseTimeline(t.db, report.id, cast.alice!.id)).at(-1)!;
    expect(latest).toMatchObject({ role: 'reporter-reply', authorName: null });
    expect(
      (
        await decryptSplit({
          sessionKeyPacket: latest.packet!,
          body: latest.body,
          decryptionKey: await fixturePrivateKey('alice'),
        })
      ).data,
    ).toBe(answer);
    const packets = await t.db
      .selectFrom('session_keys')
      .select('recipient_fingerprint')
      .where('message_id', '=', latest.id)
      .execute();
    const { reporter_fingerprint } = await t.db
      .selectFrom('cases')
      .select('reporter_fingerprint')
      .where('id', '=', report.id)
      .executeTakeFirstOrThrow();
    expect(packets.map((p) => p.recipient_fingerprint).sort()).toEqual(
      fingerprintsOf(['alice', 'bob'], reporter_fingerprint),
    );
    expect((await listCaseAudit(t.db, report.id)).at(-1)).toMatchObject({
      action: 'case.reporter-replied',
      actorLabel: 'reporter',
      actorMemberId: null,
    });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  test('an answer with a wrong receipt or no text is refused and stores nothing', async () => {
    const before = await countCaseRows(t.db);
    const wrong = await domainErrorOf(replyWithReceipt(t.db, generateReceipt(), 'Hello?', events));
    expect([wrong.kind, wrong.message]).toEqual(['not-found', NO_MATCH]);
    expect((await domainErrorOf(replyWithReceipt(t.db, report.receipt, '   ', events))).kind).toBe('bad-input');
    expect(await countCaseRows(t.db)).toEqual(before);
  });
});
