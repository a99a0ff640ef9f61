// The dashboard says when outbound mail cannot leave (no SMTP_URL) and how much waits in the queue.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../server/app';
import { sessionCookieName } from '../../server/auth/cookies';
import { startSession } from '../../server/auth/sessions';
import { authSettings } from '../../server/auth/settings';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, testArgon2Cost } from '../helpers/keys';

let t: TestDatabase;
const servers: Server[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  for (const server of servers) server.close();
  await t.destroy();
});

async function dashboardWith(status: { relayConfigured: boolean; waiting: number }): Promise<string> {
  const config = loadConfig({ DATA_DIR: '/nonexistent' });
  const app = await createApp({ db: t.db, config, log: createLogger(() => undefined), argon2: testArgon2Cost, mailStatus: async () => status });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const member = (await t.db.selectFrom('members').select('id').executeTakeFirst()) ?? (await addFixtureMember(t.db, 'alice', 'srt'));
  const settings = authSettings(config);
  const token = await startSession(t.db, member.id, settings);
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/dashboard`, {
    headers: { cookie: `${sessionCookieName(settings)}=${token}` },
  });
  expect(response.status).toBe(200);
  return response.text();
}

test('without a relay the list says so, with the number waiting', async () => {
  const html = await dashboardWith({ relayConfigured: false, waiting: 3 });
  expect(html).toContain('Outbound mail is not set up');
  expect(html).toContain('3 waiting');
});

test('with a relay there is no such notice', async () => {
  expect(await dashboardWith({ relayConfigured: true, waiting: 0 })).not.toContain('Outbound mail is not set up');
});
