// POST /api/reports refuses anything but ciphertext addressed to exactly the routed readers, and stores nothing then.
import { createTestDatabase, countCaseRows, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { startTestServer, type TestServer } from '../helpers/server';
import { buildEncryptedPayload, postJson } from '../helpers/encrypted-payload';
import { createReporterKey } from '../../crypto/reporter-key';
import { testArgon2Cost } from '../helpers/keys';
import { newReferenceShape } from '../helpers/stored-case';

let tdb: TestDatabase;
let server: TestServer;
let daveId: string;
const srtKeys = () => [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey];

beforeAll(async () => {
  tdb = await createTestDatabase();
  await addFixtureMember(tdb.db, 'alice', 'srt');
  await addFixtureMember(tdb.db, 'bob', 'srt');
  await addFixtureMember(tdb.db, 'carol', 'approver');
  daveId = (await addFixtureMember(tdb.db, 'dave', 'approver')).id;
  server = await startTestServer(tdb.db, { SUBMISSION_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await server.close();
  await tdb.destroy();
});

async function expectRefused(body: unknown, status: number, message: RegExp): Promise<void> {
  const before = await countCaseRows(tdb.db);
  const answer = await postJson(`${server.url}/api/reports`, body);
  expect(answer.status).toBe(status);
  expect(String(answer.json.error)).toMatch(message);
  expect(await countCaseRows(tdb.db)).toEqual(before);
}

test('a well-formed security report is accepted and numbered', async () => {
  const { body } = await buildEncryptedPayload({ kind: 'security', recipientKeys: srtKeys(), text: 'ok' });
  const answer = await postJson(`${server.url}/api/reports`, body);
  expect(answer.status).toBe(201);
  expect(answer.json.reference).toMatch(newReferenceShape('SEC'));
});

test('an unknown kind is refused', async () => {
  const { body } = await buildEncryptedPayload({ kind: 'security', recipientKeys: srtKeys(), text: 'x' });
  await expectRefused({ ...body, kind: 'gossip' }, 400, /kind/);
});

test('garbage instead of ciphertext is refused', async () => {
  const { body } = await buildEncryptedPayload({ kind: 'security', recipientKeys: srtKeys(), text: 'x' });
  await expectRefused(
    { ...body, report: '-----BEGIN PGP MESSAGE-----\n\nbm90IGEgbWVzc2FnZQ==\n-----END PGP MESSAGE-----' },
    400,
    /OpenPGP/,
  );
  await expectRefused({ ...body, report: 'plain text report' }, 400, /OpenPGP/);
});

test('ciphertext missing a routed reader is refused', async () => {
  const { body } = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: [fixtureKey('alice').publicKey],
    text: 'x',
  });
  await expectRefused(body, 400, /not encrypted to every routed reader/);
});

test('ciphertext also readable by someone not routed is refused', async () => {
  const { body } = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: [...srtKeys(), fixtureKey('carol').publicKey],
    text: 'x',
  });
  await expectRefused(body, 400, /may not read this case/);
});

test('a CoC report encrypted to the approver it names as involved is refused', async () => {
  const keys = [fixtureKey('carol').publicKey, fixtureKey('dave').publicKey];
  const { body } = await buildEncryptedPayload({ kind: 'coc', recipientKeys: keys, text: 'x', involved: [daveId] });
  await expectRefused(body, 400, /may not read this case/);
});

test('an involved id that is not an approver is refused', async () => {
  const { body } = await buildEncryptedPayload({
    kind: 'coc',
    recipientKeys: [fixtureKey('carol').publicKey],
    text: 'x',
    involved: ['00000000-0000-0000-0000-000000000000'],
  });
  await expectRefused(body, 400, /not one of this project's approvers/);
});

test('a report the reporter key cannot read is refused', async () => {
  const { body } = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: srtKeys(),
    text: 'x',
    omitReporter: true,
  });
  await expectRefused(body, 400, /reporter key/);
});

test('an unlocked reporter private key is refused', async () => {
  const { body } = await buildEncryptedPayload({ kind: 'security', recipientKeys: srtKeys(), text: 'x' });
  const { generateKey } = await import('openpgp');
  const { privateKey, publicKey } = await generateKey({
    type: 'curve25519',
    userIDs: [{ name: 'r' }],
    format: 'armored',
  });
  await expectRefused(
    { ...body, reporter: { ...body.reporter, publicKey, lockedPrivateKey: privateKey } },
    400,
    /locked|reporter/,
  );
});

test('a reporter key pair that does not match is refused', async () => {
  const { body } = await buildEncryptedPayload({ kind: 'security', recipientKeys: srtKeys(), text: 'x' });
  const other = await createReporterKey('other receipt words', testArgon2Cost);
  await expectRefused(
    { ...body, reporter: { ...body.reporter, lockedPrivateKey: other.lockedPrivateKey } },
    400,
    /does not belong/,
  );
});

test('a receipt lookup used twice is refused the second time', async () => {
  const { body } = await buildEncryptedPayload({ kind: 'security', recipientKeys: srtKeys(), text: 'x' });
  expect((await postJson(`${server.url}/api/reports`, body)).status).toBe(201);
  await expectRefused(body, 409, /already received/);
});

test('a body that is not JSON, or not sent as JSON, is refused', async () => {
  const before = await countCaseRows(tdb.db);
  const broken = await fetch(`${server.url}/api/reports`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"kind":',
  });
  expect(broken.status).toBe(400);
  expect(((await broken.json()) as { error: string }).error).toMatch(/JSON/);
  const form = await fetch(`${server.url}/api/reports`, {
    method: 'POST',
    body: new URLSearchParams({ kind: 'security' }),
  });
  expect(form.status).toBe(400);
  expect(await countCaseRows(tdb.db)).toEqual(before);
});

test('recipients are listed per routing, without the involved approver', async () => {
  const response = await fetch(`${server.url}/api/recipients?kind=coc&involved=${daveId}`);
  const json = (await response.json()) as { recipients: { fingerprint: string }[] };
  expect(json.recipients.map((r) => r.fingerprint)).toEqual([fixtureKey('carol').fingerprint]);
  const security = (await (await fetch(`${server.url}/api/recipients?kind=security`)).json()) as {
    recipients: { fingerprint: string }[];
  };
  expect(security.recipients.map((r) => r.fingerprint).sort()).toEqual(
    [fixtureKey('alice').fingerprint, fixtureKey('bob').fingerprint].sort(),
  );
});
