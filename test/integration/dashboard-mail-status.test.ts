// The dashboard says when outbound mail cannot leave (no SMTP_URL) and how much waits in the queue.
import { sessionCookieName } from '../../server/http/auth-cookies';
import { startSession } from '../../server/auth/sessions';
import { authSettings } from '../../server/auth/settings';
import { loadConfig } from '../../server/config';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestDatabase;
const servers: TestServer[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await t.destroy();
});

async function dashboardWith(status: { relayConfigured: boolean; waiting: number }): Promise<string> {
  const server = await startTestServer(t.db, {}, { mailStatus: async () => status });
  servers.push(server);
  const member =
    (await t.db.selectFrom('members').select('id').executeTakeFirst()) ??
    (await addFixtureMember(t.db, 'alice', 'srt'));
  const settings = authSettings(loadConfig({ DATA_DIR: '/nonexistent' }));
  const token = await startSession(t.db, member.id, settings);
  const response = await fetch(`${server.url}/dashboard`, {
    headers: { cookie: `${sessionCookieName(settings)}=${token}` },
  });
  expect(response.status).toBe(200);
  return response.text();
}

test('without a relay the list says so, with the number waiting', async () => {
  const html = await dashboardWith({ relayConfigured: false, waiting: 3 });
  expect(html).toContain('Outbound mail is not set up');
  expect(html).toContain('3 to you waiting');
});

test('with a relay there is no such notice', async () => {
  expect(await dashboardWith({ relayConfigured: true, waiting: 0 })).not.toContain('Outbound mail is not set up');
});
