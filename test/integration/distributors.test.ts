// The embargo and the distributors (issue 12 §2) on a real PostgreSQL, with the real mail queue
// (pg-boss) and a real SMTP peer: reminders seven days and one day before the embargo day, once, to
// the readers only, re-armed by a new day; the passed-embargo flag; the distributors list's key
// checks and acceptance; the seven-day rule; what is mailed to a distributor (gpg decrypts it with
// its key); a liaison cannot send; prototype names and NUL bytes are refused as bad input.
import { simpleParser } from 'mailparser';
import { createMailTemplates } from '../../server/mail/compose';
import { createNotificationSender } from '../../server/mail/notification-sender';
import { createMailer } from '../../server/mail/transport';
import { createLogger } from '../../server/log';
import { sql } from 'kysely';
import { setEmbargo } from '../../server/cases/case-work';
import { listCasesForMember } from '../../server/cases/case-list';
import {
  addDistributor,
  changeDistributor,
  recordAcceptance,
  removeDistributor,
} from '../../server/disclosure/distributors';
import {
  distributorRecipients,
  giveUpStaleSendings,
  sendToDistributors,
} from '../../server/disclosure/distributor-sending';
import { remindOfEmbargoes } from '../../server/disclosure/embargo-reminders';
import { embargoView } from '../../server/disclosure/embargo-view';
import { recordLeak } from '../../server/disclosure/embargo-leaks';
import { caseRecipients } from '../../server/cases/case-messages';
import { findReadableCase } from '../../db/case-view.queries';
import { addMember } from '../../server/governance/members';
import { silentCaseEvents } from '../../server/cases/case-events';
import { domainErrorOf, encryptArmored, signedIn, submitReport } from '../helpers/dashboard';
import { createGnupgHome, type GnupgHome } from '../helpers/gnupg';
import { fixtureKey } from '../helpers/keys';
import { startMailScenario, type MailScenario } from '../helpers/mail-scenario';

const DAY = 86_400_000;
const GINA = fixtureKey('gina');
const FRANK = fixtureKey('frank');
const SECRET = 'canary-report-text-7f3c1d';

let s: MailScenario;
let gpg: GnupgHome;
const db = () => s.database.db;
const alice = () => signedIn(s.members.alice!);
const carol = () => signedIn(s.members.carol!);

beforeAll(async () => {
  s = await startMailScenario();
  gpg = await createGnupgHome();
  await gpg.importKey(GINA.secretKey);
});
afterAll(async () => {
  await gpg?.destroy();
  await s?.close();
});

const dayAfter = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const start = (day: string) => new Date(`${day}T00:00:00Z`).getTime();
const mailsAbout = (reference: string, what: string) =>
  s.sink!.messages.filter((m) => m.raw.toString().includes(reference) && m.raw.toString().includes(what));

async function waitForMail(count: () => number, n: number) {
  const until = Date.now() + 20_000;
  while (count() < n && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

async function acceptedGina(email = GINA.email) {
  const id = await addDistributor(db(), alice(), { organisation: 'Gina Linux', email, armoredKey: GINA.publicKey });
  await recordAcceptance(db(), alice(), id, { acceptedOn: dayAfter(-1), policyVersion: 'embargo policy v1' });
  return id;
}

test('reminders seven days and one day before, once each, to the readers only, re-armed by a new embargo day', async () => {
  const c = await submitReport(db(), 'security', SECRET);
  const embargoOn = dayAfter(20);
  await setEmbargo(db(), alice(), c.reference, embargoOn);
  const subject = `The embargo on ${c.reference} ends on`;

  expect(await remindOfEmbargoes(db(), s.mail.events, new Date(start(embargoOn) - 8 * DAY))).toBe(0);
  const at7 = new Date(start(embargoOn) - 7 * DAY + 3_600_000);
  expect(await remindOfEmbargoes(db(), s.mail.events, at7)).toBe(1);
  // Again that day (another instance, the next minute): nothing more.
  expect(await remindOfEmbargoes(db(), s.mail.events, new Date(at7.getTime() + 60_000))).toBe(0);
  await waitForMail(() => mailsAbout(c.reference, subject).length, 2);
  const first = mailsAbout(c.reference, subject);
  // Security cases go to the SRT (alice, bob); the approvers carol and dave do not read it.
  expect(first.flatMap((m) => m.to).sort()).toEqual([fixtureKey('alice').email, fixtureKey('bob').email]);
  const parsed = await simpleParser(first[0]!.raw);
  expect(parsed.text).toContain(embargoOn);
  expect(parsed.text).not.toContain(SECRET);

  expect(await remindOfEmbargoes(db(), s.mail.events, new Date(start(embargoOn) - DAY + 60_000))).toBe(1);
  expect(await remindOfEmbargoes(db(), s.mail.events, new Date(start(embargoOn) - DAY + 120_000))).toBe(0);

  // A new day re-arms both.
  const moved = dayAfter(40);
  await setEmbargo(db(), alice(), c.reference, moved);
  expect(await remindOfEmbargoes(db(), s.mail.events, new Date(start(moved) - 7 * DAY + 60_000))).toBe(1);
  const audit = await db()
    .selectFrom('audit_log')
    .select('details')
    .where('case_id', '=', c.id)
    .where('action', '=', 'embargo.reminded')
    .execute();
  expect(audit.map((a) => (a.details as { daysBefore: number }).daysBefore)).toEqual([7, 1, 7]);
  await waitForMail(() => mailsAbout(c.reference, subject).length, 6);
  expect(mailsAbout(c.reference, subject).flatMap((m) => m.to)).not.toContain(fixtureKey('carol').email);
});

test('the passed-embargo flag: on the case and in the list, until the advisory is published', async () => {
  const c = await submitReport(db(), 'security', SECRET);
  const embargoOn = dayAfter(3);
  await setEmbargo(db(), alice(), c.reference, embargoOn);
  const detail = (await findReadableCase(db(), alice().id, c.reference))!;
  const before = new Date(start(embargoOn) - 60_000);
  const after = new Date(start(embargoOn) + 60_000);
  expect((await embargoView(db(), alice(), detail, before))!.passed).toBe(false);
  expect((await embargoView(db(), alice(), detail, after))!.passed).toBe(true);
  const listed = async (now: Date) =>
    (await listCasesForMember(db(), alice(), { filters: {}, sort: 'newest' }, now)).rows.find(
      (r) => r.reference === c.reference,
    )!.embargoPassed;
  expect(await listed(before)).toBe(false);
  expect(await listed(after)).toBe(true);
  await db().updateTable('cases').set({ status: 'published' }).where('id', '=', c.id).execute();
  const published = (await findReadableCase(db(), alice().id, c.reference))!;
  expect((await embargoView(db(), alice(), published, after))!.passed).toBe(false);
  expect(await listed(after)).toBe(false);
});

test('the list checks keys as member keys are checked; only approvers and the SRT keep it', async () => {
  const refused = async (armoredKey: string, email = GINA.email) =>
    (await domainErrorOf(addDistributor(db(), alice(), { organisation: 'X', email, armoredKey }))).message;
  expect(await refused(fixtureKey('expired').publicKey)).toMatch(/expired/i);
  expect(await refused(fixtureKey('sign-only').publicKey)).toMatch(/encrypt/i);
  expect(await refused(fixtureKey('revoked').publicKey)).toMatch(/revoked/i);
  expect(await refused(fixtureKey('weak-rsa1024').publicKey)).toMatch(/RSA|bits|weak/i);
  // A key whose user IDs do not name the address: refused, unless a manager accepts it on purpose.
  expect(await refused(GINA.publicKey, 'security@distro.example')).toMatch(/user ID|address|e-mail/i);
  const id = await addDistributor(db(), alice(), {
    organisation: 'Distro',
    email: 'security@distro.example',
    armoredKey: GINA.publicKey,
    allowUidMismatch: true,
  });
  await changeDistributor(db(), carol(), id, {
    organisation: 'Distro Inc.',
    email: 'security@distro.example',
    armoredKey: GINA.publicKey,
    allowUidMismatch: true,
  });
  const erin = signedIn(await addMember(db(), { ...memberInput('erin'), role: 'liaison' }));
  expect(
    (
      await domainErrorOf(
        addDistributor(db(), erin, { organisation: 'Y', email: 'y@y.example', armoredKey: GINA.publicKey }),
      )
    ).kind,
  ).toBe('forbidden');
  await removeDistributor(db(), alice(), id);
  const actions = await db()
    .selectFrom('audit_log')
    .select('action')
    .where(sql<boolean>`details->>'distributorId' = ${id}`)
    .execute();
  expect(actions.map((a) => a.action)).toEqual(['distributor.added', 'distributor.changed', 'distributor.removed']);
});

function memberInput(name: 'erin') {
  const key = fixtureKey(name);
  return { name: key.displayName, email: key.email, armoredKey: key.publicKey };
}

test('nothing is sent to a distributor before its acceptance is recorded', async () => {
  const c = await submitReport(db(), 'security', SECRET);
  const embargoOn = dayAfter(14);
  await setEmbargo(db(), alice(), c.reference, embargoOn);
  const id = await addDistributor(db(), alice(), {
    organisation: 'Not Yet',
    email: 'notyet@example.org',
    armoredKey: FRANK.publicKey,
    allowUidMismatch: true,
  });
  expect((await distributorRecipients(db(), alice(), c.reference)).distributors.map((d) => d.id)).not.toContain(id);
  const message = await encryptArmored('advisory', [FRANK.publicKey]);
  const error = await domainErrorOf(
    sendToDistributors(
      db(),
      alice(),
      c.reference,
      { kind: 'advance', plannedOn: embargoOn, messages: [{ distributorId: id, message }] },
      new Date(),
      silentCaseEvents,
    ),
  );
  expect(error.message).toMatch(/not accepted the embargo policy/);
  expect(await db().selectFrom('distributor_sendings').select('id').where('distributor_id', '=', id).execute()).toEqual(
    [],
  );
  await removeDistributor(db(), alice(), id);
});

test('the seven-day rule, the addressing check, and the mail that gpg decrypts with the distributor key', async () => {
  const gina = await acceptedGina();
  const c = await submitReport(db(), 'security', SECRET);
  const send = (plannedOn: string, message: string, now = new Date(), kind = 'advance') =>
    sendToDistributors(
      db(),
      alice(),
      c.reference,
      { kind, plannedOn, messages: [{ distributorId: gina, message }] },
      now,
      s.mail.events,
    );
  const advisory = `Advisory for ${c.reference}: upgrade to 1.2.3.`;
  const forGina = await encryptArmored(advisory, [GINA.publicKey]);

  const close = dayAfter(5);
  await setEmbargo(db(), alice(), c.reference, close);
  expect((await domainErrorOf(send(close, forGina))).message).toMatch(/at least 7 days before the disclosure/);

  const planned = dayAfter(10);
  await setEmbargo(db(), alice(), c.reference, planned);
  // Not only to gina's key, and not to another key.
  const alsoAlice = await encryptArmored(advisory, [GINA.publicKey, fixtureKey('alice').publicKey]);
  expect((await domainErrorOf(send(planned, alsoAlice))).message).toMatch(/encrypted to its key .* alone/);
  expect((await domainErrorOf(send(planned, await encryptArmored(advisory, [FRANK.publicKey])))).message).toMatch(
    /alone/,
  );
  // A stale planned date: refused.
  expect((await domainErrorOf(send(close, forGina))).message).toMatch(/changed to/);
  // The release notice needs the advance first, and comes in the last two days.
  expect((await domainErrorOf(send(planned, forGina, new Date(start(planned) - DAY), 'release'))).message).toMatch(
    /advisory first/,
  );

  expect(await send(planned, forGina)).toEqual({ sent: 1 });
  expect((await domainErrorOf(send(planned, forGina))).kind).toBe('conflict');
  await waitForMail(() => s.sink!.messages.filter((m) => m.to.includes(GINA.email)).length, 1);
  const mails = s.sink!.messages.filter((m) => m.to.includes(GINA.email));
  expect(mails).toHaveLength(1);
  const raw = mails[0]!.raw.toString('utf8');
  expect(raw).toContain('multipart/encrypted');
  expect(raw).not.toContain(SECRET);
  expect(raw).not.toContain('upgrade to 1.2.3');
  const block = raw.match(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/)![0].replace(/\r\n/g, '\n');
  expect((await gpg.decrypt(block)).toString('utf8')).toBe(advisory);

  const until = Date.now() + 10_000;
  let row;
  do {
    row = await db()
      .selectFrom('distributor_sendings')
      .selectAll()
      .where('case_id', '=', c.id)
      .executeTakeFirstOrThrow();
  } while (row.sent_at === null && Date.now() < until && (await new Promise((r) => setTimeout(r, 100))) === undefined);
  expect(row.sent_at).not.toBeNull();
  expect(row.ciphertext).toBeNull();
  const view = (await embargoView(
    db(),
    alice(),
    (await findReadableCase(db(), alice().id, c.reference))!,
    new Date(),
  ))!;
  expect(view.sendings.map((x) => [x.organisation, x.kind, x.plannedOn, x.by])).toEqual([
    ['Gina Linux', 'advance', planned, s.members.alice!.name],
  ]);

  // The release notice, in the last two days.
  const notice = await encryptArmored(`Release notice ${c.reference} ${planned}`, [GINA.publicKey]);
  expect((await domainErrorOf(send(planned, notice, new Date(start(planned) - 3 * DAY), 'release'))).message).toMatch(
    /24 hours before/,
  );
  expect(await send(planned, notice, new Date(start(planned) - DAY), 'release')).toEqual({ sent: 1 });
  await removeDistributor(db(), alice(), gina);
});

test('a liaison cannot send to the distributors nor record a leak', async () => {
  const c = await submitReport(db(), 'security', SECRET);
  await setEmbargo(db(), alice(), c.reference, dayAfter(12));
  const frank = signedIn(
    await addMember(db(), { name: 'Frank', email: FRANK.email, armoredKey: FRANK.publicKey, role: 'liaison' }),
  );
  await db().insertInto('case_readers').values({ case_id: c.id, member_id: frank.id, via: 'liaison' }).execute();
  const error = await domainErrorOf(
    sendToDistributors(
      db(),
      frank,
      c.reference,
      { kind: 'advance', plannedOn: dayAfter(12), messages: [] },
      new Date(),
      silentCaseEvents,
    ),
  );
  expect(error.kind).toBe('forbidden');
  const leak = await domainErrorOf(
    recordLeak(
      db(),
      frank,
      c.reference,
      { distributorId: 'unknown', leakedOn: dayAfter(0), message: 'x' },
      new Date(),
      silentCaseEvents,
    ),
  );
  expect(leak.kind).toBe('forbidden');
});

test('a leak is recorded with its "what" encrypted to the readers; the case shows it', async () => {
  const c = await submitReport(db(), 'security', SECRET);
  const readers = (await caseRecipients(db(), c.id)).map((r) => r.armoredKey);
  const message = await encryptArmored('The fix commit was pushed to a public mirror.', readers);
  await recordLeak(
    db(),
    alice(),
    c.reference,
    { distributorId: 'unknown', leakedOn: dayAfter(0), message },
    new Date(),
    silentCaseEvents,
  );
  const view = (await embargoView(
    db(),
    alice(),
    (await findReadableCase(db(), alice().id, c.reference))!,
    new Date(),
  ))!;
  expect(view.leaks.map((l) => [l.organisation, l.leakedOn])).toEqual([['unknown', dayAfter(0)]]);
  const stored = await db()
    .selectFrom('messages')
    .select('role')
    .where('id', '=', view.leaks[0]!.messageId)
    .executeTakeFirstOrThrow();
  expect(stored.role).toBe('embargo-leak');
  // Encrypted to someone else: refused like a comment would be.
  const wrong = await encryptArmored('x', [FRANK.publicKey]);
  expect(
    (
      await domainErrorOf(
        recordLeak(
          db(),
          alice(),
          c.reference,
          { distributorId: 'unknown', leakedOn: dayAfter(0), message: wrong },
          new Date(),
          silentCaseEvents,
        ),
      )
    ).kind,
  ).toBe('bad-input');
  // Not in the future.
  expect(
    (
      await domainErrorOf(
        recordLeak(
          db(),
          alice(),
          c.reference,
          { distributorId: 'unknown', leakedOn: dayAfter(2), message },
          new Date(),
          silentCaseEvents,
        ),
      )
    ).message,
  ).toMatch(/future/);
});

test('prototype names and NUL bytes are refused as bad input, never a crash', async () => {
  const c = await submitReport(db(), 'security', SECRET);
  const planned = dayAfter(12);
  await setEmbargo(db(), alice(), c.reference, planned);
  const message = await encryptArmored('x', [GINA.publicKey]);
  for (const distributorId of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const sending = await domainErrorOf(
      sendToDistributors(
        db(),
        alice(),
        c.reference,
        { kind: 'advance', plannedOn: planned, messages: [{ distributorId, message }] },
        new Date(),
        silentCaseEvents,
      ),
    );
    expect(sending.kind).toBe('bad-input');
    const leak = await domainErrorOf(
      recordLeak(
        db(),
        alice(),
        c.reference,
        { distributorId, leakedOn: dayAfter(0), message },
        new Date(),
        silentCaseEvents,
      ),
    );
    expect(leak.kind).toBe('bad-input');
  }
  for (const kind of ['__proto__', 'constructor'])
    expect(
      (
        await domainErrorOf(
          sendToDistributors(
            db(),
            alice(),
            c.reference,
            { kind, plannedOn: planned, messages: [] },
            new Date(),
            silentCaseEvents,
          ),
        )
      ).kind,
    ).toBe('bad-input');
  for (const input of [
    { organisation: 'Bad\u0000Org', email: 'a@b.example', armoredKey: GINA.publicKey },
    { organisation: 'Org', email: 'a\u0000@b.example', armoredKey: GINA.publicKey },
    { organisation: 'Org', email: 'a@b.example', armoredKey: `${GINA.publicKey}\u0000` },
    { organisation: '\uD800', email: 'a@b.example', armoredKey: GINA.publicKey },
  ])
    expect((await domainErrorOf(addDistributor(db(), alice(), input))).kind).toBe('bad-input');
  const id = await addDistributor(db(), alice(), {
    organisation: '__proto__',
    email: 'proto@example.org',
    armoredKey: GINA.publicKey,
    allowUidMismatch: true,
  });
  expect(
    (await domainErrorOf(recordAcceptance(db(), alice(), id, { acceptedOn: '2026-01-01', policyVersion: 'v1\u0000' })))
      .kind,
  ).toBe('bad-input');
  expect(
    (await domainErrorOf(recordAcceptance(db(), alice(), id, { acceptedOn: '2026-02-30', policyVersion: 'v1' }))).kind,
  ).toBe('bad-input');
  expect(
    (
      await domainErrorOf(
        recordLeak(
          db(),
          alice(),
          c.reference,
          { distributorId: 'unknown', leakedOn: '2026-01-01\u0000', message },
          new Date(),
          silentCaseEvents,
        ),
      )
    ).kind,
  ).toBe('bad-input');
  await removeDistributor(db(), alice(), id);
});

test('a sending the queue never mailed loses its ciphertext after three days, and may be sent again', async () => {
  const gina = await acceptedGina();
  const c = await submitReport(db(), 'security', SECRET);
  const planned = dayAfter(15);
  await setEmbargo(db(), alice(), c.reference, planned);
  const message = await encryptArmored('advisory', [GINA.publicKey]);
  const send = () =>
    sendToDistributors(
      db(),
      alice(),
      c.reference,
      { kind: 'advance', plannedOn: planned, messages: [{ distributorId: gina, message }] },
      new Date(),
      silentCaseEvents, // no job: as if the relay refused it throughout
    );
  await send();
  const rows = () =>
    db().selectFrom('distributor_sendings').select(['ciphertext', 'given_up_at']).where('case_id', '=', c.id).execute();
  await giveUpStaleSendings(db(), new Date(Date.now() + 2 * DAY));
  expect((await rows()).map((r) => [r.ciphertext !== null, r.given_up_at])).toEqual([[true, null]]);
  // (Other tests' sendings to removed distributors, never mailed, are given up too.)
  expect(await giveUpStaleSendings(db(), new Date(Date.now() + 4 * DAY))).toBeGreaterThanOrEqual(1);
  expect((await rows()).map((r) => [r.ciphertext, r.given_up_at !== null])).toEqual([[null, true]]);
  const view = (await embargoView(
    db(),
    alice(),
    (await findReadableCase(db(), alice().id, c.reference))!,
    new Date(),
  ))!;
  expect(view.sendings.map((x) => x.givenUp)).toEqual([true]);
  expect(view.accepted.find((d) => d.id === gina)!.advanceSent).toBe(false);
  expect(await send()).toEqual({ sent: 1 });
  await removeDistributor(db(), alice(), gina);
});

test('a reminder still queued when the embargo day changes is dropped; one for the current day is mailed', async () => {
  const c = await submitReport(db(), 'security', SECRET);
  const old = dayAfter(30);
  const current = dayAfter(31);
  await setEmbargo(db(), alice(), c.reference, current);
  const lines: string[] = [];
  const notify = createNotificationSender({
    db: db(),
    mailer: createMailer(s.config.mail),
    templates: createMailTemplates(s.config),
    config: s.config,
    log: createLogger((line) => void lines.push(line)),
  });
  const job = (embargoOn: string) =>
    ({ event: 'embargo-reminder', caseId: c.id, memberId: alice().id, embargoOn, daysBefore: 7 }) as const;
  const mine = () => s.sink!.messages.filter((m) => m.raw.toString().includes(`The embargo on ${c.reference}`));
  await notify(job(old));
  expect(lines.join('')).toContain('the embargo date changed since');
  await notify(job(current));
  await waitForMail(() => mine().length, 1);
  expect(mine()).toHaveLength(1);
  expect(mine()[0]!.raw.toString()).toContain(current);
});

test('the browser is told what each distributor has, so that a later one gets the advisory alone', async () => {
  const gina = await acceptedGina();
  const c = await submitReport(db(), 'security', SECRET);
  const planned = dayAfter(16);
  await setEmbargo(db(), alice(), c.reference, planned);
  const sentOf = async () =>
    (await distributorRecipients(db(), alice(), c.reference)).distributors.find((d) => d.id === gina)!.sent;
  expect(await sentOf()).toEqual({ advance: false, release: false });
  await sendToDistributors(
    db(),
    alice(),
    c.reference,
    {
      kind: 'advance',
      plannedOn: planned,
      messages: [{ distributorId: gina, message: await encryptArmored('a', [GINA.publicKey]) }],
    },
    new Date(),
    silentCaseEvents,
  );
  expect(await sentOf()).toEqual({ advance: true, release: false });
  // A new date: nothing is sent for it yet.
  await setEmbargo(db(), alice(), c.reference, dayAfter(17));
  expect(await sentOf()).toEqual({ advance: false, release: false });
  await removeDistributor(db(), alice(), gina);
});
