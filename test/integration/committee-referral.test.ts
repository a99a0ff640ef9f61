// The referral to the CNCF CoC Committee (issue 10 §4), through pg-boss to a real SMTP peer: a
// passed referral makes the committee key a pending grantee; once a reader's browser re-wrapped
// every message, one PGP/MIME mail goes to the committee, which gpg decrypts part by part with the
// committee's key; the case moves to `referred` (by the system), once, even with two senders.
import { simpleParser } from 'mailparser';
import { pendingGrants } from '../../db/grants.queries';
import { addCaseMessage, caseRecipients } from '../../server/cases/case-messages';
import { silentCaseEvents } from '../../server/cases/case-events';
import { setCommitteeKey } from '../../server/governance/committee';
import { casesToGrant, fulfilGrant, grantTasks } from '../../server/governance/grants';
import { checkReferral, sendLaterMessages, startReferral } from '../../server/governance/referral';
import { rewrapForGrantee } from '../../server/browser/grants';
import { createReferralSender } from '../../server/mail/referral-sender';
import { createMailer } from '../../server/mail/transport';
import { createLogger } from '../../server/log';
import { domainErrorOf, encryptArmored, signedIn, submitReport } from '../helpers/dashboard';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey, fixturePrivateKey } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';

let s: MailScenario;
let gpg: GnupgHome;
const COMMITTEE = fixtureKey('frank');
beforeAll(async () => {
  s = await startMailScenario({
    members: [
      ['carol', 'approver'],
      ['dave', 'approver'],
      ['erin', 'liaison'],
    ],
  });
  gpg = await createGnupgHome();
  await gpg.importKey(COMMITTEE.secretKey);
});
afterAll(async () => {
  await gpg?.destroy();
  await s?.close();
});

const db = () => s.database.db;
const carol = () => signedIn(s.members.carol!);
const armoredBlocks = (raw: Buffer) =>
  [...raw.toString('utf8').matchAll(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/g)].map((x) =>
    x[0].replace(/\r\n/g, '\n'),
  );

async function comment(reference: string, caseId: string, text: string) {
  const readers = await caseRecipients(db(), caseId);
  await addCaseMessage(
    db(),
    carol(),
    reference,
    'comment',
    await encryptArmored(
      text,
      readers.map((r) => r.armoredKey),
    ),
    silentCaseEvents,
  );
}

/** carol's browser, as grants.ts runs it: every task of the case re-wrapped with her key and posted. */
async function carolGrants(reference: string, events = s.mail.events) {
  const key = await fixturePrivateKey('carol');
  for (const task of (await grantTasks(db(), carol(), reference)).grantees)
    await fulfilGrant(
      db(),
      carol(),
      reference,
      { grantee: task.grantee, packets: await rewrapForGrantee(key, task) },
      events,
    );
}

const status = async (caseId: string) =>
  (await db().selectFrom('cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow()).status;

test('without the committee key a referral cannot be proposed; intake committee set makes it possible', async () => {
  const coc = await submitReport(db(), 'coc', 'Needs the committee.');
  expect((await domainErrorOf(checkReferral(db(), coc.id))).kind).toBe('not-configured');
  const security = await submitReport(db(), 'security', 'A bug.');
  await setCommitteeKey(db(), { email: COMMITTEE.email, armoredKey: COMMITTEE.publicKey });
  await checkReferral(db(), coc.id);
  expect((await domainErrorOf(checkReferral(db(), security.id))).kind).toBe('bad-input');
  const audit = await db()
    .selectFrom('audit_log')
    .select(['actor_label', 'details'])
    .where('action', '=', 'committee.key-set')
    .execute();
  expect(audit).toEqual([
    { actor_label: 'operator', details: expect.objectContaining({ fingerprint: COMMITTEE.fingerprint }) },
  ]);
});

test('a passed referral is re-wrapped in a reader’s browser, mailed once as PGP/MIME that gpg decrypts, and the case is referred', async () => {
  const secret = `canary-report-${Date.now()}`;
  const found = await submitReport(db(), 'coc', `The report ${secret}`);
  await comment(found.reference, found.id, 'A note for the committee too.');
  await db()
    .transaction()
    .execute((trx) => startReferral(trx, found.id, { actorMemberId: null, actorLabel: 'system' }));
  const committeePending = (await pendingGrants(db(), found.id)).find((p) => p.grantee.kind === 'committee');
  expect(committeePending?.messages).toHaveLength(2);
  expect(committeePending?.fingerprint).toBe(COMMITTEE.fingerprint);
  // A liaison does not fulfil it.
  expect(await casesToGrant(db(), signedIn(s.members.erin!))).toEqual([]);
  expect(await status(found.id)).toBe('new');

  s.sink!.messages.length = 0;
  await carolGrants(found.reference);
  await s.sink!.waitFor(1);
  const [sent] = s.sink!.messages;
  expect(sent!.to).toEqual([COMMITTEE.email]);
  expect(sent!.raw.toString()).not.toContain(secret);
  const mail = await simpleParser(sent!.raw);
  expect(mail.subject).toContain(found.reference);
  expect(mail.text).toContain(`${found.reference}`);
  expect(mail.text).toContain('2 messages');
  expect(sent!.raw.toString()).toMatch(/multipart\/mixed/);
  expect(sent!.raw.toString().match(/multipart\/encrypted; protocol="application\/pgp-encrypted"/g)).toHaveLength(2);
  const parts = armoredBlocks(sent!.raw);
  expect(parts).toHaveLength(2);
  const texts = await Promise.all(parts.map(async (p) => (await gpg.decrypt(p)).toString('utf8')));
  expect(texts[0]).toContain(secret);
  expect(texts[1]).toBe('A note for the committee too.');

  // The case is referred, by the system, once.
  for (let i = 0; i < 50 && (await status(found.id)) !== 'referred'; i += 1)
    await new Promise((r) => setTimeout(r, 100));
  expect(await status(found.id)).toBe('referred');
  const trail = await db()
    .selectFrom('audit_log')
    .select(['action', 'actor_label', 'details'])
    .where('case_id', '=', found.id)
    .where('action', 'in', ['referral.started', 'referral.sent', 'case.status-changed', 'access.granted'])
    .orderBy('id')
    .execute();
  expect(trail.map((r) => [r.action, r.actor_label])).toEqual([
    ['referral.started', 'system'],
    ['access.granted', 'member'],
    ['case.status-changed', 'system'],
    ['referral.sent', 'system'],
  ]);
  expect(trail[1]!.details).toEqual({ committeeKeyFingerprint: COMMITTEE.fingerprint, messages: 2 });
  expect((await domainErrorOf(checkReferral(db(), found.id))).kind).toBe('conflict');

  // Later messages go the same way, by a reader's choice.
  await comment(found.reference, found.id, 'A later note.');
  expect(await sendLaterMessages(db(), carol(), found.reference)).toEqual({ messages: 1 });
  expect((await domainErrorOf(sendLaterMessages(db(), carol(), found.reference))).kind).toBe('bad-input');
  s.sink!.messages.length = 0;
  await carolGrants(found.reference);
  await s.sink!.waitFor(1);
  const later = armoredBlocks(s.sink!.messages[0]!.raw);
  expect(later).toHaveLength(1);
  expect((await gpg.decrypt(later[0]!)).toString('utf8')).toBe('A later note.');
});

test('two senders on the same referral mail it once (the row lock)', async () => {
  const found = await submitReport(db(), 'coc', 'Once only.');
  await db()
    .transaction()
    .execute((trx) => startReferral(trx, found.id, { actorMemberId: null, actorLabel: 'system' }));
  // Re-wrapped without enqueueing: the two senders below are the only ones.
  await carolGrants(found.reference, silentCaseEvents);
  const referral = await db()
    .selectFrom('case_referrals')
    .select('id')
    .where('case_id', '=', found.id)
    .executeTakeFirstOrThrow();
  const log = createLogger(() => undefined);
  const senders = [0, 1].map(() =>
    createReferralSender({ db: db(), mailer: createMailer(s.config.mail), config: s.config, log }),
  );
  s.sink!.messages.length = 0;
  const job = { event: 'committee-referral' as const, caseId: found.id, referralId: referral.id };
  await Promise.all(senders.map((send) => send(job)));
  await new Promise((r) => setTimeout(r, 500));
  expect(s.sink!.messages).toHaveLength(1);
  expect(await status(found.id)).toBe('referred');
  const sent = await db()
    .selectFrom('audit_log')
    .select('id')
    .where('case_id', '=', found.id)
    .where('action', '=', 'referral.sent')
    .execute();
  expect(sent).toHaveLength(1);
});

test('replacing the committee key retires the old one and moves a waiting referral to the new key', async () => {
  const found = await submitReport(db(), 'coc', 'Waiting when the key changes.');
  await db()
    .transaction()
    .execute((trx) => startReferral(trx, found.id, { actorMemberId: null, actorLabel: 'system' }));
  const gina = fixtureKey('gina');
  await setCommitteeKey(db(), { email: gina.email, armoredKey: gina.publicKey });
  const keys = await db()
    .selectFrom('committee_keys')
    .select(['fingerprint', 'retired_at'])
    .orderBy('created_at')
    .execute();
  expect(keys.filter((k) => k.retired_at === null).map((k) => k.fingerprint)).toEqual([gina.fingerprint]);
  const pending = (await pendingGrants(db(), found.id)).find((p) => p.grantee.kind === 'committee');
  expect(pending?.fingerprint).toBe(gina.fingerprint);
  const referral = await db()
    .selectFrom('case_referrals')
    .select('committee_key_id')
    .where('case_id', '=', found.id)
    .executeTakeFirstOrThrow();
  expect(referral.committee_key_id).toBe(pending?.keyRowId);
});
