// A member's own key, made by the code the "My key" page runs (crypto/member-key.ts): an OpenPGP v4
// key that stock GnuPG 2.2 imports and decrypts case messages with, put on file only when asked,
// and audited as the member's own act, not the operator's (issue 7, items 6 and 15).
import { enums, readKey } from 'openpgp';
import { generateMemberKey, readMemberPrivateKey, type MemberKeyAlgorithm } from '../../crypto/member-key';
import { InvalidKeyError } from '../../crypto/errors';
import { messageConfig } from '../../crypto/openpgp-config';
import { exportCaseForMember } from '../../server/cases/cases';
import { setMemberKey } from '../../server/governance/members';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { submitReport } from '../helpers/dashboard';
import { createGnupgHome } from '../helpers/gnupg';
import { fixtureKey } from '../helpers/keys';
import { enrolMember, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';
import { runProcess } from '../helpers/run-process';

const PASSPHRASE = 'a long passphrase for the new key';
let t: TestDatabase;
let server: AuthTestServer;
let alice: EnrolledMember;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  alice = await enrolMember(t.db, server, 'alice', 'srt');
  await enrolMember(t.db, server, 'bob', 'srt');
});
afterAll(async () => {
  await server?.close();
  await t?.destroy();
});

/** POST /api/dashboard/key as alice's signed-in browser would, with the CSRF token of her "My key" page. */
async function postKey(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const page = await alice.client.get('/dashboard/key');
  const csrf = /data-csrf="([^"]+)"/.exec(page.html)![1]!;
  const response = await fetch(`${server.url}/api/dashboard/key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, cookie: alice.client.jar.header() },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const keyOnFile = async () =>
  (
    await t.db
      .selectFrom('member_keys')
      .select('fingerprint')
      .where('member_id', '=', alice.id)
      .where('retired_at', 'is', null)
      .executeTakeFirstOrThrow()
  ).fingerprint;
const keyChanges = () =>
  t.db
    .selectFrom('audit_log')
    .select(['actor_label', 'actor_member_id', 'details'])
    .where('action', '=', 'member.key-changed')
    .orderBy('id')
    .execute();

describe.each<[MemberKeyAlgorithm, string]>([
  ['curve25519', 'Ed25519 / Curve25519'],
  ['rsa3072', 'RSA-3072 / RSA-3072'],
])('a %s key made as the page makes it', (algorithm, stored) => {
  test('is a v4 key with algorithms GnuPG 2.2 knows, which gpg imports', async () => {
    const made = await generateMemberKey({
      name: 'Alice',
      email: fixtureKey('alice').email,
      passphrase: PASSPHRASE,
      algorithm,
    });
    const key = await readKey({ armoredKey: made.publicKey, config: messageConfig });
    for (const packet of [key.keyPacket, ...key.subkeys.map((s) => s.keyPacket)]) {
      expect(packet.version).toBe(4);
      expect([enums.publicKey.eddsaLegacy, enums.publicKey.ecdh, enums.publicKey.rsaEncryptSign]).toContain(
        packet.algorithm,
      );
    }
    const gpg = await createGnupgHome();
    try {
      await gpg.importKey(made.privateKey);
      const listed = await runProcess('gpg', ['--batch', '--homedir', gpg.home, '--with-colons', '--list-secret-keys']);
      expect(listed.code).toBe(0);
      expect(listed.stdout.toString()).toContain(made.fingerprint);
    } finally {
      await gpg.destroy();
    }
  });

  test('goes on file only when asked; gpg then decrypts a case message encrypted to it with its passphrase', async () => {
    const made = await generateMemberKey({
      name: 'Alice',
      email: fixtureKey('alice').email,
      passphrase: PASSPHRASE,
      algorithm,
    });
    const before = await keyOnFile();
    const unasked = await postKey({ publicKey: made.publicKey });
    expect(unasked.status).toBe(400);
    expect(String(unasked.json.error)).toMatch(/cases filed before stay encrypted to your old key/);
    expect(await keyOnFile()).toBe(before);

    const asked = await postKey({ publicKey: made.publicKey, replace: true });
    expect(asked).toEqual({ status: 200, json: { fingerprint: made.fingerprint } });
    expect(await keyOnFile()).toBe(made.fingerprint);
    const algorithmRow = await t.db
      .selectFrom('member_keys')
      .select('algorithm')
      .where('fingerprint', '=', made.fingerprint)
      .executeTakeFirstOrThrow();
    expect(algorithmRow.algorithm).toBe(stored);

    const text = `Heap overflow in the parser (${algorithm}).`;
    const { reference } = await submitReport(t.db, 'security', text);
    const [message] = await exportCaseForMember(t.db, reference, fixtureKey('alice').email);
    const gpg = await createGnupgHome();
    try {
      await gpg.importKey(made.privateKey);
      // Locked with the passphrase in the backup too (before the agent has it cached).
      expect((await gpg.tryDecrypt(message!.armored)).code).not.toBe(0);
      expect((await gpg.decrypt(message!.armored, PASSPHRASE)).toString('utf8')).toContain(text);
    } finally {
      await gpg.destroy();
    }
  });
});

test("a member's own key change names the member in the audit log; the operator's names the operator", async () => {
  const rows = await keyChanges();
  expect(rows.length).toBeGreaterThanOrEqual(2);
  for (const row of rows)
    expect(row).toMatchObject({ actor_label: 'member', actor_member_id: alice.id, details: { memberId: alice.id } });

  await setMemberKey(t.db, fixtureKey('alice').email, fixtureKey('alice').publicKey, { by: 'operator' });
  expect((await keyChanges()).at(-1)).toMatchObject({
    actor_label: 'operator',
    actor_member_id: null,
    details: { fingerprint: fixtureKey('alice').fingerprint },
  });
});

test('the key check of "My key": another member\'s private key is refused, naming both fingerprints; the own one is taken', async () => {
  const onFile = fixtureKey('alice').fingerprint;
  const refused = await readMemberPrivateKey(fixtureKey('bob').secretKey, '', onFile).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(InvalidKeyError);
  expect(refused).toMatchObject({ reason: 'not-on-file' });
  expect((refused as Error).message).toContain(fixtureKey('bob').fingerprint);
  expect((refused as Error).message).toContain(`not your key on file (${onFile})`);
  expect((await readMemberPrivateKey(fixtureKey('alice').secretKey, '', onFile.toLowerCase())).fingerprint).toBe(
    onFile,
  );
});
