// Behind a TCP proxy (docker-compose.yml's HAProxy in front of several instances), the SMTP
// intake reads the client's address from the PROXY protocol header of the listed proxies, so
// that the per-client limit (counted in PostgreSQL for all instances) is per sender, not per proxy.
import { createLogger } from '../../server/log';
import { loadConfig } from '../../server/config';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, testArgon2Cost } from '../helpers/keys';
import { startMailInstance, type MailInstance } from '../helpers/mail-instance';
import { SECURITY, TEST_PASSPHRASE } from '../helpers/mail-scenario';
import { connectSmtp } from '../helpers/smtp-socket';

let database: TestDatabase;
let mail: MailInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  await addFixtureMember(database.db, 'alice', 'srt');
  await addFixtureMember(database.db, 'bob', 'srt');
  const config = loadConfig({
    DATA_DIR: '/nonexistent',
    MAIL_DOMAIN: 'intake.test',
    SMTP_PORT: '0',
    SMTP_HOST: '127.0.0.1',
    SMTP_WORKERS: '0',
    SMTP_RATE_LIMIT: '1',
    SMTP_PROXY_FROM: '127.0.0.1',
    INTAKE_KEY_PASSPHRASE: TEST_PASSPHRASE,
  });
  mail = await startMailInstance({
    config,
    database: { db: database.db, url: database.url },
    log: createLogger(() => undefined),
    argon2: testArgon2Cost,
  });
});
afterAll(async () => {
  await mail?.stop();
  await database?.destroy();
});

/** One message from `client` (as the proxy's header says): the reply to MAIL FROM, and the final one. */
async function deliverFrom(client: string): Promise<{ mailFrom: number; final: number | null }> {
  const smtp = await connectSmtp(mail.smtp.port!, '127.0.0.1', `PROXY TCP4 ${client} 127.0.0.1 40001 25\r\n`);
  try {
    await smtp.command('EHLO sender.example.net');
    const mailFrom = await smtp.command('MAIL FROM:<reporter@example.net>');
    if (mailFrom.code !== 250) return { mailFrom: mailFrom.code, final: null };
    expect((await smtp.command(`RCPT TO:<${SECURITY}>`)).code).toBe(250);
    expect((await smtp.command('DATA')).code).toBe(354);
    const body = `From: reporter@example.net\r\nTo: ${SECURITY}\r\nSubject: proxied\r\n\r\nA report through the proxy.\r\n.\r\n`;
    return { mailFrom: 250, final: (await smtp.command(body, 60_000)).code };
  } finally {
    smtp.close();
  }
}

test('the limit counts the sender named by the PROXY header, not the proxy', async () => {
  expect(await deliverFrom('203.0.113.9')).toEqual({ mailFrom: 250, final: 250 });
  // The same sender again: over its limit of one.
  expect((await deliverFrom('203.0.113.9')).mailFrom).toBe(451);
  // Another sender through the same proxy connection address is not affected.
  expect(await deliverFrom('203.0.113.10')).toEqual({ mailFrom: 250, final: 250 });
});

test('SMTP_PROXY_FROM takes IP addresses only', () => {
  expect(() => loadConfig({ DATA_DIR: '/nonexistent', SMTP_PROXY_FROM: 'proxy.example' })).toThrow(/SMTP_PROXY_FROM/);
});
