// A reply to the acknowledgement lands on the reporter's case: the acknowledgement's Reply-To is a
// per-case address (security+TOKEN@…, 130 random bits, only its hash stored), and mail to it is
// stored on that case as the reporter's message, encrypted to the readers and the reporter key,
// with the intake's checks. Unknown or expired reply addresses are refused at RCPT like any
// unknown mailbox, and no reply ever opens a new case.
import crypto from 'node:crypto';
import { simpleParser } from 'mailparser';
import { openFollowupWithReceipt } from '../../server/intake/followup';
import { countCaseRows } from '../helpers/db';
import {
  mimeEntity,
  pgpMimeMail,
  SECURITY,
  sendMail,
  startMailScenario,
  type MailScenario,
} from '../helpers/mail-scenario';
import { testArgon2Cost } from '../helpers/keys';
import { canary, decryptCaseWithGpg } from '../helpers/report-scenario';
import { connectSmtp } from '../helpers/smtp-socket';
import { dumpDatabaseText } from '../helpers/storage-scan';

let s: MailScenario;
beforeAll(async () => {
  s = await startMailScenario();
});
afterAll(() => s?.close());

const RECEIPT = /\n {4}([a-z]+(?: [a-z]+){7})\n/;
const REPLY_ADDRESS = /^security\+[0-9a-z]{26}@intake\.test$/;

interface Filed {
  reference: string;
  replyTo: string;
  receipt: string;
  ackText: string;
}

/** Files a plain report from `from` and reads its acknowledgement off the relay. */
async function fileReport(from: string): Promise<Filed> {
  const result = await sendMail(s.smtp.port!, { from, to: SECURITY, subject: 'first', text: canary('first report') });
  expect(result.code).toBe(250);
  const reference = /Report received as (\S+)/.exec(result.response)![1]!;
  for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const raw = s.sink!.messages.find((m) => m.to.includes(from))?.raw;
    if (!raw) continue;
    const ack = await simpleParser(raw);
    const replyTo = ack.replyTo!.value[0]!.address!;
    return { reference, replyTo, receipt: RECEIPT.exec(ack.text ?? '')![1]!, ackText: ack.text ?? '' };
  }
  throw new Error(`no acknowledgement to ${from}`);
}

async function caseRow(reference: string) {
  return s.database.db
    .selectFrom('cases')
    .select(['id', 'status'])
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
}

async function messageRoles(reference: string): Promise<string[]> {
  const { id } = await caseRow(reference);
  const rows = await s.database.db
    .selectFrom('messages')
    .select('role')
    .where('case_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.role);
}

test('the acknowledgement carries an unguessable per-case Reply-To, stored only as a hash', async () => {
  const first = await fileReport('one@example.net');
  const second = await fileReport('two@example.net');
  expect(first.replyTo).toMatch(REPLY_ADDRESS);
  expect(second.replyTo).toMatch(REPLY_ADDRESS);
  expect(first.replyTo).not.toBe(second.replyTo);
  expect(first.ackText).toContain(first.replyTo);
  const token = first.replyTo.slice('security+'.length, first.replyTo.indexOf('@'));
  const dump = await dumpDatabaseText(s.database.url);
  expect(dump).not.toContain(token);
  expect(dump).not.toContain(token.toUpperCase());
  const rows = await s.database.db.selectFrom('case_reply_addresses').select('address_hash').execute();
  expect(rows).toHaveLength(2);
  expect(
    rows.some((r) => r.address_hash.equals(crypto.createHash('sha256').update(`reply-address:${token}`).digest())),
  ).toBe(true);
});

test("a reply lands on the case as the reporter's message: readers and the reporter decrypt it, the quoted receipt is removed, no new case", async () => {
  const filed = await fileReport('reply@example.net');
  const before = await countCaseRows(s.database.db);
  s.sink!.messages.length = 0;
  const text = canary('threaded reply');
  const quoted = filed.ackText
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  const result = await sendMail(s.smtp.port!, {
    from: 'reply@example.net',
    to: filed.replyTo,
    subject: `Re: Received: your security report ${filed.reference}`,
    text: `${text}\n\nOn Tuesday you wrote:\n${quoted}`,
    attachments: [{ filename: 'proof.txt', content: Buffer.from(canary('reply attachment')) }],
  });
  expect(result.code).toBe(250);
  expect(result.response).toContain(`added to ${filed.reference}`);
  const after = await countCaseRows(s.database.db);
  expect(after.cases).toBe(before.cases);
  expect(await messageRoles(filed.reference)).toEqual(['report', 'reporter-reply', 'attachment']);

  for (const reader of ['alice', 'bob'] as const) {
    const messages = await decryptCaseWithGpg(s.database.db, filed.reference, reader);
    const reply = messages.find((m) => m.role === 'reporter-reply')!.data.toString();
    expect(reply).toContain(text);
    expect(reply).toContain(`E-mail from the reporter of ${filed.reference}`);
    expect(reply).not.toContain(filed.receipt);
    expect(reply).toContain('[receipt removed]');
    expect(reply).toContain('The complete message was not kept');
    expect(reply).not.toContain(filed.replyTo.slice(9, 35));
  }
  const followup = await openFollowupWithReceipt(s.database.db, filed.receipt);
  expect(followup.messages.map((m) => m.role)).toEqual(['report', 'reporter-reply', 'attachment']);
  expect(followup.messages[1]!.text).toContain(text);
  expect(followup.messages[2]!.filename).toBe('proof.txt');

  // The readers are told as for a follow-up message: the SRT, not the approvers; no acknowledgement to the reporter.
  const told = async () => {
    const subjects = await Promise.all(
      s.sink!.messages.map(async (m) => ({ to: m.to, subject: (await simpleParser(m.raw)).subject ?? '' })),
    );
    return subjects
      .filter((m) => m.subject.includes(`message from the reporter on ${filed.reference}`))
      .flatMap((m) => m.to)
      .sort();
  };
  for (const until = Date.now() + 15_000; (await told()).length < 2 && Date.now() < until;)
    await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1000));
  expect(await told()).toEqual(['alice@example.org', 'bob@example.org']);
  expect(s.sink!.messages.some((m) => m.to.includes('reply@example.net'))).toBe(false);
});

test('a reply encrypted to the intake key (PGP/MIME) is decrypted on arrival and stored re-encrypted on its case', async () => {
  const filed = await fileReport('secret@example.net');
  const text = canary('encrypted reply');
  const armored = await s.reporter.encrypt(mimeEntity(text), [s.intakeFingerprint]);
  const result = await sendMail(s.smtp.port!, {
    from: 'secret@example.net',
    to: filed.replyTo,
    raw: pgpMimeMail({ from: 'secret@example.net', to: filed.replyTo, subject: '...', armored }),
  });
  expect(result.code).toBe(250);
  const messages = await decryptCaseWithGpg(s.database.db, filed.reference, 'alice');
  const reply = messages.find((m) => m.role === 'reporter-reply')!.data.toString();
  expect(reply).toContain(text);
  expect(reply).toContain('PGP/MIME, decrypted on arrival');
  expect(await dumpDatabaseText(s.database.url)).not.toContain(text);
});

test('unknown, malformed and expired reply addresses are refused at RCPT with 550, and nothing is stored', async () => {
  const filed = await fileReport('closed@example.net');
  const before = await countCaseRows(s.database.db);
  const forged = `security+${'0123456789abcdefghjkmnpqrs'}@intake.test`;
  const token = filed.replyTo.slice(9, 35);
  const candidates = [
    forged,
    'security+short@intake.test',
    `conduct+${token}@intake.test`,
    `nobody+${token}@intake.test`,
  ];
  for (const to of candidates) {
    const client = await connectSmtp(s.smtp.port!);
    await client.command('EHLO x.example.net');
    await client.command('MAIL FROM:<closed@example.net>');
    const answer = await client.command(`RCPT TO:<${to}>`);
    expect(answer.code).toBe(550);
    expect(answer.text).toContain('No such mailbox here');
    client.close();
  }

  const { id } = await caseRow(filed.reference);
  // Closed a week ago: replies still arrive. Closed longer than REPLY_ADDRESS_DAYS_AFTER_CLOSE (30) ago, or as spam: refused.
  await s.database.db
    .updateTable('cases')
    .set({ status: 'closed', updated_at: new Date(Date.now() - 7 * 86_400_000) })
    .where('id', '=', id)
    .execute();
  expect(
    (await sendMail(s.smtp.port!, { from: 'closed@example.net', to: filed.replyTo, subject: 'x', text: 'still here' }))
      .code,
  ).toBe(250);
  const stored = await countCaseRows(s.database.db);
  await s.database.db
    .updateTable('cases')
    .set({ updated_at: new Date(Date.now() - 31 * 86_400_000) })
    .where('id', '=', id)
    .execute();
  const expired = await sendMail(s.smtp.port!, {
    from: 'closed@example.net',
    to: filed.replyTo,
    subject: 'x',
    text: 'too late',
  });
  expect(expired.code).toBe(550);
  await s.database.db
    .updateTable('cases')
    .set({ status: 'spam', updated_at: new Date() })
    .where('id', '=', id)
    .execute();
  expect(
    (await sendMail(s.smtp.port!, { from: 'closed@example.net', to: filed.replyTo, subject: 'x', text: 'spam' })).code,
  ).toBe(550);
  const forgedResult = await sendMail(s.smtp.port!, {
    from: 'closed@example.net',
    to: forged,
    subject: 'x',
    text: 'forged',
  });
  expect(forgedResult.code).toBe(550);

  const after = await countCaseRows(s.database.db);
  expect(after.cases).toBe(before.cases);
  expect(stored.messages).toBe(before.messages! + 1);
  expect(after).toEqual(stored);
});

test('a reply the intake would refuse is refused the same way and leaves no row; reply-all to the intake address too goes to the case', async () => {
  const filed = await fileReport('careful@example.net');
  const before = await countCaseRows(s.database.db);
  const nul = await sendMail(s.smtp.port!, {
    from: 'careful@example.net',
    to: filed.replyTo,
    raw: Buffer.from('Subject: nul\r\n\r\nbad \u0000 byte\r\n'),
  });
  expect(nul.code).toBe(554);
  const garbled = await sendMail(s.smtp.port!, {
    from: 'careful@example.net',
    to: filed.replyTo,
    subject: 'x',
    text: '-----BEGIN PGP MESSAGE-----\n\nhQEMA garbage ==\n-----END PGP MESSAGE-----\n',
  });
  expect(garbled.code).toBe(554);
  expect(await countCaseRows(s.database.db)).toEqual(before);

  const both = await sendMail(s.smtp.port!, {
    from: 'careful@example.net',
    to: [SECURITY, filed.replyTo],
    subject: 'Re: all',
    text: 'to both',
  });
  expect(both.code).toBe(250);
  expect(both.response).toContain(`added to ${filed.reference}`);
  expect((await countCaseRows(s.database.db)).cases).toBe(before.cases);
  expect(await messageRoles(filed.reference)).toEqual(['report', 'reporter-reply']);
});

test('no acknowledgement to a +tagged intake address: it would file itself on a case', async () => {
  const filed = await fileReport('loop@example.net');
  s.sink!.messages.length = 0;
  const result = await sendMail(s.smtp.port!, {
    from: filed.replyTo,
    to: SECURITY,
    subject: 'loop',
    text: 'from a reply address',
  });
  expect(result.code).toBe(250);
  await new Promise((r) => setTimeout(r, 1500));
  expect(s.sink!.messages.flatMap((m) => m.to).filter((to) => !to.endsWith('@example.org'))).toEqual([]);
  expect(await messageRoles(filed.reference)).toEqual(['report']);
});
