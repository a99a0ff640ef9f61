// Recipients per SMTP transaction are capped at what can exist here (the intake addresses and one
// reply address), repeats are folded case-insensitively and count against the cap, and the
// excess is answered 452 4.5.3, however many RCPT commands a client pipelines.
import { countCaseRows } from '../helpers/db';
import { CONDUCT, MAIL_DOMAIN, SECURITY, startMailScenario, type MailScenario } from '../helpers/mail-scenario';
import { decryptCaseWithGpg } from '../helpers/report-scenario';
import { connectSmtp, type RawSmtpClient } from '../helpers/smtp-socket';

let s: MailScenario;
beforeAll(async () => {
  s = await startMailScenario({
    relay: false,
    env: { INTAKE_SECURITY_ADDRESSES: `security@${MAIL_DOMAIN},psirt@${MAIL_DOMAIN}` },
  });
});
afterAll(() => s?.close());

// Three intake addresses (two for security, one for conduct) and one reply address.
const CAP = 4;

async function openTransaction(): Promise<RawSmtpClient> {
  const client = await connectSmtp(s.smtp.port!);
  expect((await client.command('EHLO fuzz.example.net')).code).toBe(250);
  expect((await client.command('MAIL FROM:<reporter@example.net>')).code).toBe(250);
  return client;
}

async function finish(client: RawSmtpClient, body: string) {
  client.write('DATA\r\n');
  const [go] = await client.replies(1);
  expect(go!.code).toBe(354);
  client.write(`${body.replace(/\r?\n/g, '\r\n')}\r\n.\r\n`);
  const [done] = await client.replies(1);
  await client.command('QUIT');
  client.close();
  return done!;
}

test('1,000 pipelined RCPT TO of one address: the cap is answered 250, the excess 452 4.5.3, and one case is made', async () => {
  const before = (await countCaseRows(s.database.db)).cases!;
  const client = await openTransaction();
  const variants = [SECURITY, SECURITY.toUpperCase(), 'Security@Intake.Test'];
  client.write(Array.from({ length: 1000 }, (_, i) => `RCPT TO:<${variants[i % 3]}>\r\n`).join(''));
  const replies = await client.replies(1000, 30_000);
  expect(replies.slice(0, CAP).map((r) => r.code)).toEqual(Array(CAP).fill(250));
  const excess = replies.slice(CAP);
  expect(excess).toHaveLength(1000 - CAP);
  for (const reply of excess) expect(reply.text).toMatch(/^452 4\.5\.3 Too many recipients/);

  const done = await finish(client, 'Subject: many times\n\nOne report, however often it was addressed.');
  expect(done.code).toBe(250);
  const reference = /Report received as (\S+)/.exec(done.text)![1]!;
  expect((await countCaseRows(s.database.db)).cases).toBe(before + 1);
  const [report] = await decryptCaseWithGpg(s.database.db, reference, 'alice');
  // The address, folded: listed once however it was spelt and repeated.
  expect(report!.data.toString()).toContain(`E-mail security report to ${SECURITY}\n`);
});

test('distinct addresses count too: unknown ones are 550 up to the cap, then 452, and nothing is accepted', async () => {
  const client = await openTransaction();
  client.write(Array.from({ length: 200 }, (_, i) => `RCPT TO:<nobody${i}@${MAIL_DOMAIN}>\r\n`).join(''));
  const replies = await client.replies(200, 30_000);
  expect(replies.slice(0, CAP).every((r) => r.code === 550)).toBe(true);
  expect(replies.slice(CAP).every((r) => /^452 4\.5\.3 /.test(r.text))).toBe(true);
  expect((await client.command('DATA')).code).toBe(503);
  client.close();
});

test('every alias of one kind in one message is accepted and makes one case; the other kind is deferred with 452 4.5.3', async () => {
  const before = (await countCaseRows(s.database.db)).cases!;
  const client = await openTransaction();
  const answers = [];
  for (const to of [SECURITY, `psirt@${MAIL_DOMAIN}`, CONDUCT]) answers.push(await client.command(`RCPT TO:<${to}>`));
  expect(answers.map((a) => a.code)).toEqual([250, 250, 452]);
  expect(answers[2]!.text).toMatch(/^452 4\.5\.3 /);
  const done = await finish(client, 'Subject: aliases\n\nTo both aliases.');
  expect(done.code).toBe(250);
  expect((await countCaseRows(s.database.db)).cases).toBe(before + 1);
});

test('the cap is per transaction: after RSET the same connection may address again', async () => {
  const client = await openTransaction();
  client.write(Array.from({ length: 10 }, () => `RCPT TO:<${SECURITY}>\r\n`).join(''));
  const first = await client.replies(10);
  expect(first.filter((r) => r.code === 250)).toHaveLength(CAP);
  expect((await client.command('RSET')).code).toBe(250);
  expect((await client.command('MAIL FROM:<reporter@example.net>')).code).toBe(250);
  expect((await client.command(`RCPT TO:<${SECURITY}>`)).code).toBe(250);
  client.close();
});
