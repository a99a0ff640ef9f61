// Outbound notifications through pg-boss to a real SMTP sink: only a case's readers are told, never
// with plaintext; opted-in members get their own encrypted copy as PGP/MIME; a relay outage loses
// nothing; two instances never send the same notification twice.
import { simpleParser } from 'mailparser';
import { setDeliverContent } from '../../db/mail-settings.queries';
import { sendInviteMail } from '../../server/mail/invite';
import { startMailInstance } from '../helpers/mail-instance';
import { createLogger } from '../../server/log';
import { submitPlaintextReport } from '../../server/intake/reports';
import { createGnupgHome } from '../helpers/gnupg';
import { fixtureKey, testArgon2Cost, type GoodKeyName } from '../helpers/keys';
import { sendMail, SECURITY, startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { submitThroughApi, submitThroughForm } from '../helpers/report-client';
import { fieldText } from '../helpers/report-page';
import { canary } from '../helpers/report-scenario';

let s: MailScenario;
beforeAll(async () => {
  s = await startMailScenario({ env: { PUBLIC_URL: 'http://report.intake.test' } });
});
afterAll(() => s?.close());
beforeEach(() => {
  s.sink!.messages.length = 0;
});

const caseId = async (reference: string) =>
  (await s.database.db.selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirstOrThrow())
    .id;
const recipients = () => s.sink!.messages.flatMap((m) => m.to).sort();
const settle = (ms = 2500) => new Promise((r) => setTimeout(r, ms));

test('a Code of Conduct report from the web form notifies the approvers it is routed to, never the excluded one', async () => {
  const secret = canary('web-coc');
  const submitted = await submitThroughForm(s.webUrl, {
    kind: 'coc',
    fields: fieldText('coc', secret),
    attachments: [],
    involved: [s.members.dave!.id],
  });
  await s.sink!.waitFor(1);
  await settle();
  expect(recipients()).toEqual([fixtureKey('carol').email]);
  const mail = await simpleParser(s.sink!.messages[0]!.raw);
  expect(mail.subject).toBe(`[Kmesh] New Code of Conduct report ${submitted.reference}`);
  expect(mail.text).toContain(`http://report.intake.test/dashboard/cases/${submitted.reference}`);
  expect(mail.attachments).toHaveLength(0);
  expect(s.sink!.messages[0]!.raw.toString()).not.toContain(secret);
});

test('a security report through the JSON API (encrypted in the client) notifies the SRT', async () => {
  const submitted = await submitThroughApi(s.webUrl, {
    kind: 'security',
    fields: {},
    attachments: [],
    document: canary('api'),
  });
  await s.sink!.waitFor(2);
  await settle(1500);
  expect(recipients()).toEqual(['alice@example.org', 'bob@example.org']);
  expect((await simpleParser(s.sink!.messages[0]!.raw)).subject).toBe(
    `[Kmesh] New security report ${submitted.reference}`,
  );
});

test('an e-mail report notifies the SRT; an opted-in member gets the report attached as PGP/MIME, encrypted to its key', async () => {
  await setDeliverContent(s.database.db, s.members.alice!.id, true);
  try {
    const secret = canary('mailed-content');
    const result = await sendMail(s.smtp.port!, {
      from: 'finder@example.net',
      to: SECURITY,
      subject: 'bug',
      text: `Steps: ${secret}`,
    });
    expect(result.code).toBe(250);
    // The notifications to alice and bob, and the acknowledgement to the reporter.
    await s.sink!.waitFor(3);
    const byRecipient = new Map(s.sink!.messages.map((m) => [m.to[0]!, m.raw]));
    expect([...byRecipient.keys()].sort()).toEqual(['alice@example.org', 'bob@example.org', 'finder@example.net']);
    for (const raw of s.sink!.messages.map((m) => m.raw)) expect(raw.toString()).not.toContain(secret);

    const bob = await simpleParser(byRecipient.get('bob@example.org')!);
    expect(bob.attachments).toHaveLength(0);
    const alice = await simpleParser(byRecipient.get('alice@example.org')!);
    expect(alice.text).toContain('attached, encrypted to your OpenPGP key');
    const control = alice.attachments.find((a) => a.contentType === 'application/pgp-encrypted');
    const encrypted = alice.attachments.find((a) => a.contentType === 'application/octet-stream');
    expect(control?.content.toString()).toContain('Version: 1');
    expect(encrypted?.content.toString()).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(await decryptAs('alice', encrypted!.content)).toContain(`Steps: ${secret}`);
    expect(await decryptAs('bob', encrypted!.content).catch((e: Error) => e.message)).toMatch(/decrypt|secret key/i);
  } finally {
    await setDeliverContent(s.database.db, s.members.alice!.id, false);
  }
});

test('new messages, assignment and overdue reminders go to readers only, and a repeated event mails once', async () => {
  const submitted = await submitPlaintextReport(
    s.database.db,
    { kind: 'security', involvedIds: [], document: 'x', attachments: [] },
    { channel: 'web-no-js', argon2: testArgon2Cost },
  );
  const id = await caseId(submitted.reference);
  await s.mail.events.messageAdded(id, s.members.alice!.id);
  await s.sink!.waitFor(1);
  await settle(1500);
  expect(recipients()).toEqual(['bob@example.org']);
  // The newest message of this case is its report (a comment would read "New comment from a responder on …").
  expect((await simpleParser(s.sink!.messages[0]!.raw)).subject).toBe(`[Kmesh] New report on ${submitted.reference}`);

  s.sink!.messages.length = 0;
  await s.mail.events.assigned(id, s.members.bob!.id);
  await s.mail.events.assigned(id, s.members.carol!.id); // not a reader of a security case: nothing
  await s.mail.events.overdue(id);
  await s.mail.events.overdue(id);
  await s.sink!.waitFor(3);
  await settle();
  expect(recipients()).toEqual(['alice@example.org', 'bob@example.org', 'bob@example.org']);
  const subjects = await Promise.all(s.sink!.messages.map(async (m) => (await simpleParser(m.raw)).subject));
  expect(subjects.sort()).toEqual([
    `[Kmesh] ${submitted.reference} is assigned to you`,
    `[Kmesh] ${submitted.reference} is overdue`,
    `[Kmesh] ${submitted.reference} is overdue`,
  ]);
});

test('a relay that is down loses nothing: the queue delivers once it is back', async () => {
  await s.sink!.stop();
  try {
    const submitted = await submitPlaintextReport(
      s.database.db,
      { kind: 'security', involvedIds: [], document: 'y', attachments: [] },
      { channel: 'web-no-js', argon2: testArgon2Cost },
    );
    await s.mail.events.caseStored(await caseId(submitted.reference));
    await settle(3000); // at least one failed attempt
  } finally {
    await s.sink!.start();
  }
  await s.sink!.waitFor(2, 40_000);
  expect(recipients()).toEqual(['alice@example.org', 'bob@example.org']);
});

test('two instances on one database send each notification exactly once', async () => {
  const log = createLogger(() => undefined);
  const second = await startMailInstance({
    config: s.config,
    database: s.database,
    log,
    argon2: testArgon2Cost,
    queue: { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1 },
  });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const submitted = await submitPlaintextReport(
        s.database.db,
        { kind: 'security', involvedIds: [], document: `z${i}`, attachments: [] },
        { channel: 'web-no-js', argon2: testArgon2Cost },
      );
      ids.push(await caseId(submitted.reference));
    }
    // Both instances are told (as two dashboards' overdue sweeps would be); each reader hears once per case.
    await Promise.all(ids.flatMap((id) => [s.mail.events.overdue(id), second.mail.events.overdue(id)]));
    await s.sink!.waitFor(10);
    await settle(3000);
    expect(s.sink!.messages).toHaveLength(10);
  } finally {
    await second.stop();
  }
});

test('the invitation link is mailed at once, not queued', async () => {
  const link = `http://report.intake.test/invite/${canary('token')}`;
  await sendInviteMail(s.config, {
    name: 'Carol',
    email: 'carol@example.org',
    link,
    expiresAt: new Date(Date.now() + 72 * 3_600_000),
  });
  await s.sink!.waitFor(1);
  expect(s.sink!.messages[0]!.raw.toString()).toContain(link);
  const jobs = await s.database.db
    .selectFrom('pgboss.job' as never)
    .select('data' as never)
    .execute();
  expect(JSON.stringify(jobs)).not.toContain(link);
});

async function decryptAs(name: GoodKeyName, armored: Buffer): Promise<string> {
  const gpg = await createGnupgHome();
  try {
    await gpg.importKey(fixtureKey(name).secretKey);
    return (await gpg.decrypt(armored)).toString('utf8');
  } finally {
    await gpg.destroy();
  }
}
