// While the database cannot be reached the intake answers 451, so that the sending server keeps
// the message and retries; the retry, once the database is back, is stored. The database is cut
// off for real: the intake reaches PostgreSQL through a TCP proxy that the test unplugs.
import { startDatabaseProxy } from '../helpers/db-proxy';
import { createKysely } from '../../db/connect';
import { createLogger } from '../../server/log';
import { loadConfig } from '../../server/config';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, testArgon2Cost } from '../helpers/keys';
import { startMailInstance, type MailInstance } from '../helpers/mail-instance';
import { SECURITY, sendMail, TEST_PASSPHRASE } from '../helpers/mail-scenario';
import { canary } from '../helpers/report-scenario';
import { createReplyAddress } from '../../server/smtp/reply-address';

let database: TestDatabase;
let proxy: Awaited<ReturnType<typeof startDatabaseProxy>>;
let mail: MailInstance;
const logLines: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await addFixtureMember(database.db, 'alice', 'srt');
  await addFixtureMember(database.db, 'bob', 'srt');
  proxy = await startDatabaseProxy(new URL(database.url));
  const config = loadConfig({
    DATA_DIR: '/nonexistent',
    MAIL_DOMAIN: 'intake.test',
    SMTP_PORT: '0',
    SMTP_HOST: '127.0.0.1',
    INTAKE_KEY_PASSPHRASE: TEST_PASSPHRASE,
  });
  const db = createKysely(proxy.url, 4);
  mail = await startMailInstance({
    config,
    database: { db, url: proxy.url },
    log: createLogger((line) => logLines.push(line)),
    argon2: testArgon2Cost,
  });
});

afterAll(async () => {
  proxy?.plug();
  await mail?.stop();
  await proxy?.close();
  await database?.destroy();
});

test('451 while the database is unreachable, then the retry is stored', async () => {
  const text = canary('db-down');
  const message = { from: 'reporter@example.net', to: SECURITY, subject: 'retry me', text };

  proxy.unplug();
  const refused = await sendMail(mail.smtp.port!, message);
  expect(refused.code).toBe(451);
  expect(refused.response).toMatch(/Nothing was stored; please try again later/);
  proxy.plug();
  expect((await countCaseRows(database.db)).cases).toBe(0);

  const accepted = await sendMail(mail.smtp.port!, message);
  expect(accepted.code).toBe(250);
  expect((await countCaseRows(database.db)).cases).toBe(1);
  expect(logLines.join('\n')).not.toContain(text);
  expect(logLines.join('\n')).not.toMatch(/postgres:\/\/[^…]/);
});

test("a case's reply address is deferred (451), not bounced, while the database is unreachable", async () => {
  const accepted = await sendMail(mail.smtp.port!, {
    from: 'reporter@example.net',
    to: SECURITY,
    subject: 'first',
    text: 'first',
  });
  const reference = /Report received as (\S+)/.exec(accepted.response)![1]!;
  const { id } = await database.db
    .selectFrom('cases')
    .select('id')
    .where('reference', '=', reference)
    .executeTakeFirstOrThrow();
  const replyAddress = await createReplyAddress(database.db, id, SECURITY);
  const before = await countCaseRows(database.db);

  proxy.unplug();
  const refused = await sendMail(mail.smtp.port!, {
    from: 'reporter@example.net',
    to: replyAddress,
    subject: 'Re: first',
    text: 'an answer',
  });
  proxy.plug();
  expect(refused.code).toBe(451);
  expect(await countCaseRows(database.db)).toEqual(before);

  const retried = await sendMail(mail.smtp.port!, {
    from: 'reporter@example.net',
    to: replyAddress,
    subject: 'Re: first',
    text: 'an answer',
  });
  expect(retried.code).toBe(250);
  expect(retried.response).toContain(`added to ${reference}`);
});
