// The no-JavaScript form while the database is unreachable: a clear 503, nothing half-stored, and
// the page comes back with everything the reporter typed.
import { createKysely } from '../../db/connect';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { startDatabaseProxy } from '../helpers/db-proxy';
import { addFixtureMember } from '../helpers/keys';
import { confirmationOf, openReportForm, postReportForm } from '../helpers/form-client';
import { startTestServer, type TestServer } from '../helpers/server';
import { newReferenceShape } from '../helpers/stored-case';

let database: TestDatabase;
let proxy: Awaited<ReturnType<typeof startDatabaseProxy>>;
let server: TestServer;
let appDb: ReturnType<typeof createKysely>;
let daveId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await addFixtureMember(database.db, 'carol', 'approver');
  daveId = (await addFixtureMember(database.db, 'dave', 'approver')).id;
  proxy = await startDatabaseProxy(new URL(database.url));
  appDb = createKysely(proxy.url, 4);
  server = await startTestServer(appDb);
});

afterAll(async () => {
  await server.close();
  await appDb.destroy();
  await proxy.close();
  await database.destroy();
});

test('the report is refused with 503 and the typed text and choices come back; the retry is stored', async () => {
  const session = await openReportForm(server.url, 'coc');
  const fields = {
    kind: 'coc',
    _csrf: session.csrf,
    body: 'What happened, typed with care',
    where: 'the community call',
    involved: daveId,
  };

  proxy.unplug();
  const refused = await postReportForm(server.url, session, fields);
  expect(refused.status).toBe(503);
  expect(refused.html).toContain('could not be stored just now');
  expect(refused.html).toContain('What happened, typed with care</textarea>');
  expect(refused.html).toContain('value="the community call"');
  expect(refused.html).toContain(`name="involved" value="${daveId}"`);
  expect(refused.html).not.toMatch(/at [\w.]+ \(|node_modules|ECONNREFUSED/);
  expect(server.logLines.join('\n')).not.toContain('typed with care');

  proxy.plug();
  expect(await countCaseRows(database.db)).toEqual({ cases: 0, case_readers: 0, messages: 0, session_keys: 0 });
  const stored = await postReportForm(server.url, session, fields);
  expect(stored.status).toBe(303);
  expect(confirmationOf(stored.html)?.reference).toMatch(newReferenceShape('COC'));
  const readers = await database.db.selectFrom('case_readers').select('member_id').execute();
  expect(readers.map((r) => r.member_id)).not.toContain(daveId);
});
