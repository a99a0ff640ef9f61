// The e-mail path of the canary test: report text, subject, sender address, file names and file
// contents sent by mail (plain, inline-PGP, PGP/MIME, and refused mail) appear nowhere a thief or a
// curious operator could look: not in a dump of the database (the pg-boss queue included), not in
// the server's log, not in PostgreSQL's raw files, not in the notifications. Controls prove the
// searches work.
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
import {
  checkpointAndFindDataDirectory,
  dumpDatabaseText,
  filesContaining,
  foundInDump,
} from '../helpers/storage-scan';
import { fixtureKey } from '../helpers/keys';
import { REFERENCE_PATTERN } from '../../server/cases/case-reference';

let s: MailScenario;
const canaries: string[] = [];
const stored: { reference: string; needle: string }[] = [];
const make = (label: string) => {
  const value = canary(label);
  canaries.push(value);
  return value;
};
const address = (label: string) => `${make(label).toLowerCase()}@example.net`;
const referenceOf = (response: string) => new RegExp(`(${REFERENCE_PATTERN})`).exec(response)![1]!;

beforeAll(async () => {
  s = await startMailScenario();
  const port = s.smtp.port!;

  const plainBody = make('plain-body');
  const plain = await sendMail(port, {
    from: address('plain-from'),
    to: CONDUCT,
    subject: make('plain-subject'),
    text: plainBody,
  });
  stored.push({ reference: referenceOf(plain.response), needle: plainBody });

  const inlineBody = make('inline-body');
  const inline = await sendMail(port, {
    from: address('inline-from'),
    to: SECURITY,
    subject: make('inline-subject'),
    text: await s.reporter.encrypt(inlineBody, [s.intakeFingerprint]),
  });
  stored.push({ reference: referenceOf(inline.response), needle: inlineBody });

  const [mimeBody, fileName, fileBody] = [make('mime-body'), `${make('mime-file-name')}.txt`, make('mime-file-body')];
  const armored = await s.reporter.encrypt(
    mimeEntity(mimeBody, { filename: fileName, data: Buffer.from(fileBody) }, make('mime-subject')),
    [s.intakeFingerprint],
  );
  const sender = address('mime-from');
  const mime = await sendMail(port, {
    from: sender,
    to: SECURITY,
    raw: pgpMimeMail({ from: sender, to: SECURITY, subject: make('mime-outer-subject'), armored }),
  });
  stored.push({ reference: referenceOf(mime.response), needle: fileBody });

  // Refused mail, where error handling is the likeliest place to leak.
  await s.reporter.importKey(fixtureKey('alice').publicKey);
  const wrong = await s.reporter.encrypt(make('wrong-key-body'), [fixtureKey('alice').fingerprint]);
  expect(
    (await sendMail(port, { from: address('wrong-from'), to: SECURITY, subject: make('wrong-subject'), text: wrong }))
      .code,
  ).toBe(550);
  const nul = Buffer.concat([
    Buffer.from(`From: ${address('nul-from')}\r\nSubject: ${make('nul-subject')}\r\n\r\n${make('nul-body')}`),
    Buffer.alloc(100),
  ]);
  expect((await sendMail(port, { from: address('nul-envelope'), to: SECURITY, raw: nul })).code).toBe(554);
  expect(
    (
      await sendMail(port, {
        from: address('unknown-from'),
        to: `${make('unknown-rcpt').toLowerCase()}@intake.test`,
        subject: make('unknown-subject'),
        text: 'x',
      })
    ).code,
  ).toBe(550);

  // Notifications to the readers and acknowledgements to the senders, through the queue.
  await s.sink!.waitFor(3 * 2 + 3);
});

afterAll(() => s?.close());

test('controls: the stored reports decrypt to their canaries (so the searches below can find them)', async () => {
  for (const { reference, needle } of stored) {
    const reader = reference.startsWith('COC') ? 'carol' : 'alice';
    const messages = await decryptCaseWithGpg(s.database.db, reference, reader);
    expect(messages.map((m) => m.data.toString('utf8')).join('\n')).toContain(needle);
  }
  expect(foundInDump(`x ${canaries[0]} y`, canaries)).toEqual([canaries[0]]);
});

test('no canary in a dump of the database, the queue included', async () => {
  const dump = await dumpDatabaseText(s.database.url);
  expect(dump).toContain('-- "pgboss"."job"');
  expect(foundInDump(dump, canaries)).toEqual([]);
});

test("no canary in the server's log", () => {
  expect(s.logLines.length).toBeGreaterThan(0);
  expect(foundInDump(s.logLines.join('\n'), canaries)).toEqual([]);
});

test('no canary in the notifications (only acknowledgements go to the senders)', () => {
  const notifications = s.sink!.messages.filter((m) => m.to.every((to) => to.endsWith('@example.org')));
  expect(notifications).toHaveLength(6);
  expect(foundInDump(notifications.map((m) => m.raw.toString('latin1')).join('\n'), canaries)).toEqual([]);
});

test("no canary in PostgreSQL's data files", async () => {
  const dir = await checkpointAndFindDataDirectory(s.database.db);
  const { hits, filesRead } = await filesContaining(dir, canaries);
  expect(filesRead).toBeGreaterThan(10);
  expect(hits).toEqual([]);
});
