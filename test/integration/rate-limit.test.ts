// Submissions are limited per client, on the form and the API alike, before their bodies are read.
import { createTestDatabase, countCaseRows, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';
import { confirmationOf, openReportForm, postReportForm } from '../helpers/form-client';
import { buildEncryptedPayload, postJson } from '../helpers/encrypted-payload';

let tdb: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'carol', 'approver');
  server = await startTestServer(tdb.db, { SUBMISSION_RATE_LIMIT: '2' });
});
afterAll(async () => {
  await server.close();
  await tdb.destroy();
});

test('the third submission in the window is refused with 429, on the form and on the API', async () => {
  for (let i = 0; i < 2; i++) {
    const session = await openReportForm(server.url, 'coc');
    const ok = await postReportForm(server.url, session, { kind: 'coc', _csrf: session.csrf, body: `report ${i}` });
    expect(confirmationOf(ok.html)).not.toBeNull();
  }
  const before = await countCaseRows(tdb.db);
  const session = await openReportForm(server.url, 'coc');
  const limited = await postReportForm(server.url, session, {
    kind: 'coc',
    _csrf: session.csrf,
    body: 'third one, unread',
  });
  expect(limited.status).toBe(429);
  expect(limited.html).toContain('Too many submissions');
  // Refused before reading, and honest about it: the reporter's text is in the browser's history, not here.
  expect(limited.html).toContain('was not read, so your text cannot be shown here');
  expect(limited.html).not.toContain('third one, unread');

  const { body } = await buildEncryptedPayload({
    kind: 'coc',
    recipientKeys: [fixtureKey('carol').publicKey],
    text: 'api',
  });
  const api = await postJson(`${server.url}/api/reports`, body);
  expect(api.status).toBe(429);
  expect(String(api.json.error)).toContain('Too many submissions');
  expect(await countCaseRows(tdb.db)).toEqual(before);
});
