// Issue 7.11: a receipt on the no-JavaScript follow-up path never stalls the server. A wrong receipt
// costs a lookup and no key work; a right one unlocks a browser-made reporter key (Argon2, 64 MiB,
// 3 passes) on a worker thread, while /healthz and everything else keep being answered.
import { defaultArgon2Cost } from '../../crypto/openpgp-config';
import { generateReceipt, receiptLookupHash } from '../../crypto/receipt';
import { reporterKeyUnlocksStarted } from '../../crypto/reporter-key-pool';
import { NO_MATCH, openFollowupWithReceipt, replyWithReceipt } from '../../server/intake/followup';
import { alertText, WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { domainErrorOf, recordingEvents } from '../helpers/dashboard';
import { buildEncryptedPayload, postJson } from '../helpers/encrypted-payload';
import { fixtureKey } from '../helpers/keys';
import { submitThroughApi } from '../helpers/report-client';
import { startTestServer, type TestServer } from '../helpers/server';
import { addCast } from '../helpers/stored-case';

let t: TestDatabase;
let server: TestServer;
/** Filed through the JavaScript path with the key cost a browser uses. */
let browserReport: { reference: string; receipt: string };

beforeAll(async () => {
  t = await createTestDatabase();
  await addCast(t.db, { alice: 'srt', bob: 'srt' });
  server = await startTestServer(t.db);
  browserReport = await submitThroughApi(server.url, {
    kind: 'security',
    fields: {},
    document: 'Heap overflow in the config parser.',
    attachments: [],
    reporterKeyCost: defaultArgon2Cost,
  });
});
afterAll(async () => {
  await server.close();
  await t.destroy();
});

/** Opens the follow-up page and posts the receipt, as a browser without JavaScript does. */
async function postReceipt(receipt: string) {
  const client = new WebClient(server.url);
  return client.submit(await client.get('/followup'), '/followup', { receipt });
}

test('while a right receipt unlocks its Argon2 key, /healthz keeps answering, and the case then opens', async () => {
  const client = new WebClient(server.url);
  const form = await client.get('/followup');
  const unlocksBefore = reporterKeyUnlocksStarted();
  let followupDone = false;
  const followup = client.submit(form, '/followup', { receipt: browserReport.receipt }).finally(() => {
    followupDone = true;
  });
  // The server runs in this process: had the unlock run on the event loop, neither the health checks
  // nor this loop could go on while it ran.
  let answeredMeanwhile = 0;
  while (!followupDone) {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    if (!followupDone) answeredMeanwhile += 1;
  }
  const page = await followup;
  expect(page.status).toBe(200);
  expect(page.html).toContain(browserReport.reference);
  expect(page.html).toContain('Heap overflow in the config parser.');
  expect(answeredMeanwhile).toBeGreaterThanOrEqual(50);
  expect(reporterKeyUnlocksStarted() - unlocksBefore).toBe(1);
});

test('a wrong receipt costs a lookup: no key is unlocked, and the answer is the one it always was', async () => {
  const unlocksBefore = reporterKeyUnlocksStarted();
  for (const receipt of [generateReceipt(), 'not a receipt at all', '']) {
    const page = await postReceipt(receipt);
    expect(page.status).toBe(404);
    expect(alertText(page.html)).toContain(NO_MATCH);
  }
  const reply = await domainErrorOf(replyWithReceipt(t.db, generateReceipt(), 'An answer.', recordingEvents()));
  expect([reply.kind, reply.message]).toEqual(['not-found', NO_MATCH]);
  expect(reporterKeyUnlocksStarted()).toBe(unlocksBefore);
});

test('a receipt whose lookup matches but does not unlock the key gets the same answer from both no-JavaScript paths', async () => {
  // A client may send any lookup hash with its key: here one of another receipt than the key is locked under.
  const payload = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey],
    text: 'Mismatched.',
  });
  const other = generateReceipt();
  payload.body.reporter.receiptLookup = Buffer.from(await receiptLookupHash(other)).toString('hex');
  expect((await postJson(`${server.url}/api/reports`, payload.body)).status).toBe(201);

  const unlocksBefore = reporterKeyUnlocksStarted();
  const opened = await domainErrorOf(openFollowupWithReceipt(t.db, other));
  const replied = await domainErrorOf(replyWithReceipt(t.db, other, 'An answer.', recordingEvents()));
  for (const error of [opened, replied]) expect([error.kind, error.message]).toEqual(['not-found', NO_MATCH]);
  expect(reporterKeyUnlocksStarted() - unlocksBefore).toBe(2);
  expect((await postReceipt(other)).status).toBe(404);
});
