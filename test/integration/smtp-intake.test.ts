// The SMTP intake over real sockets: nodemailer as the reporter's client, mail made with stock gpg
// (plain, inline-PGP, PGP/MIME with an attachment), stored split and readable by exactly the
// routed members with `gpg --decrypt`. The reporter's address and subject are never in the clear.
import { countCaseRows } from '../helpers/db';
import { fixtureKey } from '../helpers/keys';
import {
  CONDUCT,
  mimeEntity,
  pgpMimeMail,
  SECURITY,
  sendMail,
  startMailScenario,
  type MailScenario,
} from '../helpers/mail-scenario';
import { canary, decryptCaseWithGpg } from '../helpers/report-scenario';
import { emailsOf, storedCase } from '../helpers/stored-case';
import { dumpDatabaseText, foundInDump } from '../helpers/storage-scan';
import { REFERENCE_PATTERN } from '../../server/cases/case-reference';

let s: MailScenario;
let port: number;
beforeAll(async () => {
  s = await startMailScenario();
  port = s.smtp.port!;
});
afterAll(() => s?.close());

const referenceOf = (response: string) =>
  new RegExp(`Report received as (${REFERENCE_PATTERN})`).exec(response)?.[1] ?? '';

test('a plain mail to conduct@ becomes a Code of Conduct case that the approvers decrypt with gpg', async () => {
  const [body, subject, sender] = [
    canary('plain-body'),
    canary('plain-subject'),
    `${canary('sender').toLowerCase()}@example.net`,
  ];
  const result = await sendMail(port, { from: sender, to: CONDUCT, subject, text: `What happened: ${body}` });
  expect(result.code).toBe(250);
  const reference = referenceOf(result.response);
  expect(reference).toMatch(/^COC-/);

  const stored = await storedCase(s.database.db, reference);
  expect(stored).toMatchObject({ kind: 'coc', channel: 'email' });
  expect(stored.readerEmails).toEqual(emailsOf(['carol', 'dave']));
  expect(stored.messages.map((m) => m.role)).toEqual(['report']);

  const [report] = await decryptCaseWithGpg(s.database.db, reference, 'carol');
  const text = report!.data.toString('utf8');
  expect(text).toContain(`Envelope sender: ${sender}`);
  expect(text).toContain(`Subject: ${subject}`);
  expect(text).toContain(`What happened: ${body}`);
  expect(text).toContain('Encryption: none');

  // Not an SRT member, not anyone else: only the approvers hold a key packet.
  await expect(decryptCaseWithGpg(s.database.db, reference, 'alice')).rejects.toThrow(/no access/);
  expect(foundInDump(await dumpDatabaseText(s.database.url), [body, subject, sender])).toEqual([]);
});

test('an inline-PGP mail encrypted by gpg to the intake key is decrypted on arrival and re-encrypted to the SRT', async () => {
  const secret = canary('inline-body');
  const armored = await s.reporter.encrypt(`The exploit: ${secret} costs $& and $1\n`, [s.intakeFingerprint]);
  const result = await sendMail(port, { to: SECURITY, subject: 'vulnerability', text: `Hello,\n\n${armored}\nThanks` });
  expect(result.code).toBe(250);
  const reference = referenceOf(result.response);

  const stored = await storedCase(s.database.db, reference);
  expect(stored.readerEmails).toEqual(emailsOf(['alice', 'bob']));
  for (const name of ['alice', 'bob'] as const) {
    const [report] = await decryptCaseWithGpg(s.database.db, reference, name);
    const text = report!.data.toString('utf8');
    expect(text).toContain(`The exploit: ${secret} costs $& and $1`);
    expect(text).toContain(`inline OpenPGP, decrypted on arrival with intake key ${s.intakeFingerprint}`);
    expect(text).not.toContain('BEGIN PGP MESSAGE');
  }
});

test('a PGP/MIME mail with an attachment keeps every part: the text, the file, and the whole decrypted message', async () => {
  const [secret, subject] = [canary('pgpmime-body'), canary('protected-subject')];
  const file = Buffer.from(`proof of concept ${canary('pgpmime-file')}\n\u0000\u00ff binary`, 'latin1');
  const armored = await s.reporter.encrypt(
    mimeEntity(`Details: ${secret}`, { filename: 'poc.bin', data: file }, subject),
    [s.intakeFingerprint],
  );
  const raw = pgpMimeMail({ from: 'researcher@example.net', to: SECURITY, subject: '...', armored });
  const result = await sendMail(port, { from: 'researcher@example.net', to: SECURITY, raw });
  expect(result.code).toBe(250);
  const reference = referenceOf(result.response);

  const stored = await storedCase(s.database.db, reference);
  expect(stored.messages.map((m) => m.role)).toEqual(['report', 'attachment', 'attachment']);
  const [report, attachment, original] = await decryptCaseWithGpg(s.database.db, reference, 'alice');
  const text = report!.data.toString('utf8');
  expect(text).toContain(`Details: ${secret}`);
  expect(text).toContain(`Subject: ${subject}`); // the protected (inner) subject wins over the outer "..."
  expect(text).toContain('From: researcher@example.net');
  expect(text).toContain('PGP/MIME, decrypted on arrival');
  expect(attachment!.data.equals(file)).toBe(true);
  expect(original!.data.toString('latin1')).toContain('Content-Type: multipart/mixed');
  expect(original!.data.toString('latin1')).toContain(`Details: ${secret}`);
});

describe('refused cleanly, with nothing stored', () => {
  let before: Record<string, number>;
  beforeEach(async () => {
    before = await countCaseRows(s.database.db);
  });
  afterEach(async () => {
    expect(await countCaseRows(s.database.db)).toEqual(before);
  });

  test('an unknown recipient: 550 at RCPT, naming the addresses we take', async () => {
    const result = await sendMail(port, { to: `postmaster@${'intake.test'}`, subject: 'x', text: 'x' });
    expect(result.code).toBe(550);
    expect(result.response).toContain(SECURITY);
  });

  test('mail encrypted to a key we do not hold: 550 naming where our key is published', async () => {
    await s.reporter.importKey(fixtureKey('alice').publicKey);
    const armored = await s.reporter.encrypt('for alice only', [fixtureKey('alice').fingerprint]);
    for (const raw of [pgpMimeMail({ from: 'r@example.net', to: SECURITY, subject: 'x', armored }), undefined]) {
      const result = raw
        ? await sendMail(port, { to: SECURITY, raw })
        : await sendMail(port, { to: SECURITY, subject: 'x', text: armored });
      expect(result.code).toBe(550);
      expect(result.response).toContain(s.intakeFingerprint);
      expect(result.response).toContain('https://report.intake.test/.well-known/security.txt');
    }
  });

  test('a truncated PGP block, a PGP/MIME message without its encrypted part, NUL bytes, absurd nesting: 554', async () => {
    const armored = await s.reporter.encrypt('x'.repeat(4000), [s.intakeFingerprint]);
    const lines = armored.trim().split('\n');
    const truncated = [...lines.slice(0, lines.length - 6), '-----END PGP MESSAGE-----'].join('\n');
    const noPart =
      'From: a@example.net\r\nTo: security@intake.test\r\nSubject: x\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n\r\n--b--\r\n';
    let nested = 'Content-Type: text/plain\r\n\r\ndeep\r\n';
    for (let i = 0; i < 3000; i++)
      nested = `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n${nested}\r\n--n${i}--\r\n`;
    const cases = [
      { text: `see\n${truncated}\n` },
      { raw: noPart },
      {
        raw: Buffer.concat([
          Buffer.from('From: a@example.net\r\nSubject: nul\r\n\r\n'),
          Buffer.alloc(5000, 0),
          Buffer.from('\r\n'),
        ]),
      },
      { raw: `From: a@example.net\r\nSubject: deep\r\n${nested}` },
    ];
    for (const mail of cases) {
      const result = await sendMail(port, { to: SECURITY, subject: 'x', ...mail });
      expect(result.code).toBe(554);
      expect(result.response).toMatch(/Nothing was stored/);
    }
  });

  test('a message over SMTP_MAX_BYTES: 552, and the intake keeps serving', async () => {
    const small = await startMailScenario({ env: { SMTP_MAX_BYTES: '20000' }, relay: false });
    try {
      const big = await sendMail(small.smtp.port!, { to: SECURITY, subject: 'big', text: 'y'.repeat(50_000) });
      expect(big.code).toBe(552);
      const fine = await sendMail(small.smtp.port!, { to: SECURITY, subject: 'small', text: 'fits' });
      expect(fine.code).toBe(250);
    } finally {
      await small.close();
    }
  });
});

test('security@ and conduct@ in one message: one case, the other recipient is deferred (452) to its own transaction', async () => {
  const before = await countCaseRows(s.database.db);
  const result = await sendMail(port, { to: [SECURITY, CONDUCT], subject: 'both', text: 'both kinds' });
  expect(result.code).toBe(250);
  expect((await countCaseRows(s.database.db)).cases).toBe(before.cases! + 1);
});

test('the log holds no sender, subject or content', async () => {
  const joined = s.logLines.join('\n');
  expect(joined).not.toMatch(/CANARY-/);
  expect(joined).not.toContain('researcher@example.net');
  expect(joined).not.toContain('reporter@example.net');
});
