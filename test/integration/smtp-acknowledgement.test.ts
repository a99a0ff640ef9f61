// The automatic acknowledgement to an e-mail reporter: sent from memory to the envelope sender,
// carrying the follow-up receipt only where the report itself travelled (plain mail, or encrypted
// to a key the reporter gave us); never to automatic mail, the null sender or ourselves.
import { simpleParser } from 'mailparser';
import { receiptLookupHash } from '../../crypto/receipt';
import { createGnupgHome } from '../helpers/gnupg';
import { fixtureKey } from '../helpers/keys';
import {
  mimeEntity,
  pgpMimeMail,
  SECURITY,
  sendMail,
  startMailScenario,
  type MailScenario,
} from '../helpers/mail-scenario';
import { REFERENCE_PATTERN } from '../../server/cases/case-reference';

let s: MailScenario;
beforeAll(async () => {
  s = await startMailScenario();
});
afterAll(() => s?.close());
beforeEach(() => {
  s.sink!.messages.length = 0;
});

const RECEIPT = /\n {4}([a-z]+(?: [a-z]+){7})\n/;

async function ackFor(from: string): Promise<Buffer> {
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const ack = s.sink!.messages.find((m) => m.to.includes(from));
    if (ack) return ack.raw;
  }
  throw new Error(`no acknowledgement to ${from}`);
}

test('a plain report is acknowledged with its reference and a working receipt, as an RFC 3834 auto-reply', async () => {
  const result = await sendMail(s.smtp.port!, {
    from: 'plain@example.net',
    to: SECURITY,
    raw: 'From: plain@example.net\r\nSubject: the subject stays private\r\nMessage-ID: <m1@example.net>\r\n\r\nreport\r\n',
  });
  const reference = new RegExp(`(${REFERENCE_PATTERN})`).exec(result.response)![1]!;
  const ack = await simpleParser(await ackFor('plain@example.net'));
  expect(ack.from?.value[0]?.address).toBe(SECURITY);
  expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
  expect(ack.inReplyTo).toBe('<m1@example.net>');
  expect(ack.subject).toBe(`Received: your security report ${reference}`);
  expect(ack.text).not.toContain('the subject stays private');
  const receipt = RECEIPT.exec(ack.text ?? '')![1]!;
  const row = await s.database.db
    .selectFrom('cases')
    .select('receipt_lookup')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  expect(row.receipt_lookup.equals(Buffer.from(await receiptLookupHash(receipt)))).toBe(true);
});

test('an encrypted report without a key of the reporter is acknowledged without the receipt', async () => {
  const armored = await s.reporter.encrypt('secret', [s.intakeFingerprint]);
  await sendMail(s.smtp.port!, { from: 'quiet@example.net', to: SECURITY, subject: 'x', text: armored });
  const ack = await simpleParser(await ackFor('quiet@example.net'));
  expect(ack.text).not.toMatch(RECEIPT);
  expect(ack.text).toContain('we do not send a follow-up receipt');
});

test('an encrypted report carrying the reporter key (Autocrypt) gets a PGP/MIME acknowledgement with the receipt', async () => {
  const gina = fixtureKey('gina');
  const keydata = (await s.reporter.importKey(gina.publicKey), await exportBinary(gina.publicKey));
  const armored = await s.reporter.encrypt(mimeEntity('encrypted report'), [s.intakeFingerprint]);
  const raw = pgpMimeMail({
    from: gina.email,
    to: SECURITY,
    subject: '...',
    armored,
    headers: [`Autocrypt: addr=${gina.email}; keydata=${keydata.toString('base64')}`],
  });
  await sendMail(s.smtp.port!, { from: gina.email, to: SECURITY, raw });
  const ackRaw = await ackFor(gina.email);
  const ack = await simpleParser(ackRaw);
  expect(ack.headers.get('content-type')).toMatchObject({
    value: 'multipart/encrypted',
    params: { protocol: 'application/pgp-encrypted' },
  });
  expect(ackRaw.toString()).not.toMatch(RECEIPT);
  const encrypted = ack.attachments.find((a) => a.contentType === 'application/octet-stream')!;
  const gpg = await createGnupgHome();
  try {
    await gpg.importKey(gina.secretKey);
    const inner = await simpleParser(await gpg.decrypt(encrypted.content));
    expect(inner.text).toMatch(RECEIPT);
  } finally {
    await gpg.destroy();
  }
});

test('no acknowledgement to the null sender, to automatic mail, or to our own addresses', async () => {
  const headers = 'Auto-Submitted: auto-generated\r\n';
  const results = [
    await sendMail(s.smtp.port!, {
      from: '',
      to: SECURITY,
      raw: 'From: x@example.net\r\nSubject: bounce\r\n\r\nbounce\r\n',
    }),
    await sendMail(s.smtp.port!, {
      from: 'robot@example.net',
      to: SECURITY,
      raw: `From: robot@example.net\r\n${headers}Subject: auto\r\n\r\nauto\r\n`,
    }),
    await sendMail(s.smtp.port!, { from: SECURITY, to: SECURITY, subject: 'loop', text: 'loop' }),
    await sendMail(s.smtp.port!, {
      from: 'list@example.net',
      to: SECURITY,
      raw: 'From: list@example.net\r\nList-Id: <l.example.net>\r\nSubject: l\r\n\r\nl\r\n',
    }),
  ];
  expect(results.map((r) => r.code)).toEqual([250, 250, 250, 250]);
  await new Promise((r) => setTimeout(r, 1500));
  expect(
    s
      .sink!.messages.map((m) => m.to)
      .flat()
      .filter((to) => !to.endsWith('@example.org')),
  ).toEqual([]);
});

async function exportBinary(armored: string): Promise<Buffer> {
  const { readKey } = await import('openpgp');
  return Buffer.from((await readKey({ armoredKey: armored })).write() as Uint8Array);
}
