// After retention deleted a case's content: no trace of its ciphertext (bodies, key packets, the
// locked reporter key) is left in any row of any table — the rows a dump or `intake backup` reads.
// The reporter's follow-up page, with and without JavaScript, opens with the receipt still and
// says plainly that the content was deleted, with the status; it offers no reply, and refuses one.
import { sql } from 'kysely';
import type { MemberWithKey } from '../../db/members.queries';
import { addCaseMessage, messageRecipients } from '../../server/cases/case-messages';
import { moveCase } from '../../server/cases/case-work';
import { loadConfig } from '../../server/config';
import { STATES } from '../../server/cases/workflow';
import { addDays, retentionPolicy } from '../../server/retention/retention-rules';
import { runRetentionSweep } from '../../server/retention/retention-sweep';
import { WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { encryptArmored, recordingEvents, signedIn, submitReport } from '../helpers/dashboard';
import { fixtureKey } from '../helpers/keys';
import { canary } from '../helpers/report-scenario';
import { startTestServer, type TestServer } from '../helpers/server';
import { addCast, storedCase } from '../helpers/stored-case';
import { dumpDatabaseText } from '../helpers/storage-scan';

const config = loadConfig({ DATA_DIR: '/nonexistent' });
let t: TestDatabase;
let server: TestServer;
let cast: Awaited<ReturnType<typeof addCast>>;
let deleted: { reference: string; id: string; receipt: string; lookup: string };
let kept: { reference: string; id: string; receipt: string };
/** Hex slices of every body and key packet of the deleted case, and lines of its locked key. */
const traces: string[] = [];
const keptTraces: string[] = [];
const REPORT_CANARY = canary('retention-report');

async function ciphertextTraces(caseId: string): Promise<string[]> {
  const bodies = await t.db.selectFrom('messages').select('body').where('case_id', '=', caseId).execute();
  const packets = await t.db
    .selectFrom('session_keys as k')
    .innerJoin('messages as m', 'm.id', 'k.message_id')
    .select('k.packet')
    .where('m.case_id', '=', caseId)
    .execute();
  const slice = (b: Buffer) => b.subarray(Math.floor(b.length / 2) - 24, Math.floor(b.length / 2) + 24).toString('hex');
  const key = await t.db
    .selectFrom('cases')
    .select('reporter_locked_key')
    .where('id', '=', caseId)
    .executeTakeFirstOrThrow();
  const keyLines = key.reporter_locked_key!.split('\n').filter((l) => l.length >= 60);
  return [...bodies.map((r) => slice(r.body)), ...packets.map((r) => slice(r.packet)), keyLines[2]!, keyLines[5]!];
}

beforeAll(async () => {
  t = await createTestDatabase();
  cast = await addCast(t.db, { alice: 'srt', bob: 'srt' });
  const alice = signedIn(cast.alice as MemberWithKey);
  const submitted = await submitReport(t.db, 'security', `Use after free. ${REPORT_CANARY}`);
  deleted = { ...submitted, lookup: (await storedCase(t.db, submitted.reference)).receiptLookupHex };
  const readers = [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey];
  const reporterKey = (await messageRecipients(t.db, alice, deleted.reference, 'reply')).reporter!.publicKey;
  await addCaseMessage(
    t.db,
    alice,
    deleted.reference,
    'reply',
    await encryptArmored('We reproduced it.', [...readers, reporterKey]),
    recordingEvents(),
  );
  await moveCase(t.db, alice, deleted.reference, 'spam');
  kept = await submitReport(t.db, 'security', 'A case that stays.');
  traces.push(...(await ciphertextTraces(deleted.id)));
  keptTraces.push(...(await ciphertextTraces(kept.id)));
  server = await startTestServer(t.db);
});
afterAll(async () => {
  await server?.close();
  await t.destroy();
});

async function deleteIt() {
  await t.db
    .updateTable('cases')
    .set({ retention_started_at: sql<Date>`now() - interval '800 days'` })
    .where('id', '=', deleted.id)
    .execute();
  const policy = await retentionPolicy(t.db, config);
  const now = new Date();
  await runRetentionSweep(t.db, policy, recordingEvents(), now);
  const run = await runRetentionSweep(t.db, policy, recordingEvents(), addDays(now, 8));
  expect(run.deleted).toEqual([deleted.id]);
}

test('control: before the deletion, the dump holds every trace, and the follow-up page a reply form', async () => {
  const dump = (await dumpDatabaseText(t.url)).toLowerCase();
  expect(traces.length).toBeGreaterThanOrEqual(6);
  for (const trace of [...traces, ...keptTraces]) expect(dump).toContain(trace.toLowerCase());
  const client = new WebClient(server.url);
  const page = await client.submit(await client.get('/followup'), '/followup', { receipt: deleted.receipt });
  expect(page.status).toBe(200);
  expect(page.html).toContain(REPORT_CANARY);
  expect(page.html).toContain('action="/followup/reply"');
  expect(page.html).not.toContain('data-content-deleted');
});

test('after the deletion, no row of any table holds a trace of its ciphertext; the other case keeps its own', async () => {
  await deleteIt();
  const dump = (await dumpDatabaseText(t.url)).toLowerCase();
  expect(traces.filter((trace) => dump.includes(trace.toLowerCase()))).toEqual([]);
  for (const trace of keptTraces) expect(dump).toContain(trace.toLowerCase());
  // What stays is the record: the reference and the receipt's hash (which finds the status).
  expect(dump).toContain(deleted.reference.toLowerCase());
  expect(dump).toContain(deleted.lookup.toLowerCase());
});

test('the follow-up page without JavaScript opens with the receipt and says the content was deleted', async () => {
  const client = new WebClient(server.url);
  const page = await client.submit(await client.get('/followup'), '/followup', { receipt: deleted.receipt });
  expect(page.status).toBe(200);
  expect(page.html).toContain(deleted.reference);
  expect(page.html).toContain(STATES.security.spam!.reporterLabel);
  expect(page.html).toContain('data-content-deleted');
  expect(page.html).toContain(`was deleted for good on ${new Date().toISOString().slice(0, 4)}`);
  expect(page.html).toContain('show the status');
  expect(page.html).not.toContain(REPORT_CANARY);
  expect(page.html).not.toContain('action="/followup/reply"');

  // An answer posted anyway is refused in words, not stored.
  const sent = await client.post('/followup/reply', {
    _csrf: (await client.get('/followup')).html.match(/name="_csrf" value="([^"]+)"/)![1]!,
    receipt: deleted.receipt,
    answer: 'Hello?',
  });
  expect(sent.html).toContain('nothing can be added to it any more');
  const messages = await t.db.selectFrom('messages').select('id').where('case_id', '=', deleted.id).execute();
  expect(messages).toEqual([]);

  // A wrong receipt still matches nothing.
  const wrong = await client.submit(await client.get('/followup'), '/followup', { receipt: 'not the receipt' });
  expect(wrong.status).toBe(404);
});

test('the JSON the browser reads has no locked key, no messages, and the notice; a reply is refused', async () => {
  const response = await fetch(`${server.url}/api/followup/${deleted.lookup}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({
    reference: deleted.reference,
    status: STATES.security.spam!.reporterLabel,
    lockedKey: null,
    messages: [],
    recipients: [],
  });
  expect(String(body.contentDeleted)).toMatch(/^The content of this report was deleted for good on \d{4}-\d{2}-\d{2}/);
  const reply = await fetch(`${server.url}/api/followup/${deleted.lookup}/replies`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'anything' }),
  });
  expect(reply.status).toBe(409);
});
