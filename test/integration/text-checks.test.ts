// Text PostgreSQL cannot store (a NUL character, a broken surrogate) or that is over-long is refused
// with a 4xx and a clear message before any query, on the HTTP routes and in the CLI; nothing is
// stored, and what was typed comes back. A field sent twice (a list where a string belongs) too.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inviteMember } from '../../server/auth/invitations';
import { countCaseRows, createTestDatabase, type TestDatabase } from '../helpers/db';
import { alertText, WebClient } from '../helpers/cookie-jar';
import { submitReport } from '../helpers/dashboard';
import { buildEncryptedPayload, postJson } from '../helpers/encrypted-payload';
import { addFixtureMember, FIXTURE_KEYS_DIR, fixtureKey } from '../helpers/keys';
import {
  enrolMember,
  openInvitationLink,
  startAuthServer,
  type AuthTestServer,
  type EnrolledMember,
} from '../helpers/member-auth';
import { runProcess } from '../helpers/run-process';

const ROOT = path.join(__dirname, '..', '..');
let t: TestDatabase;
let server: AuthTestServer;
let alice: EnrolledMember;
let reference: string;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db, { SUBMISSION_RATE_LIMIT: '1000' });
  alice = await enrolMember(t.db, server, 'alice', 'srt');
  await addFixtureMember(t.db, 'bob', 'srt');
  ({ reference } = await submitReport(t.db, 'security', 'A report to work on.'));
});
afterAll(async () => {
  await server.close();
  await t.destroy();
});

const NUL = '\u0000';

describe('sign-in', () => {
  const signInWith = async (fields: Record<string, string>) => {
    const client = new WebClient(server.url);
    return client.submit(await client.get('/signin'), '/signin', fields);
  };

  test('a NUL in the e-mail or the password is a 400 that names the problem and keeps the e-mail', async () => {
    const inEmail = await signInWith({ email: `alice${NUL}@example.org`, password: 'whatever it is', code: '123456' });
    expect(inEmail.status).toBe(400);
    expect(alertText(inEmail.html)).toMatch(/The e-mail contains a NUL character/);
    expect(inEmail.html).toContain('value="alice');

    const inPassword = await signInWith({ email: alice.email, password: `pass${NUL}word`, code: '123456' });
    expect(inPassword.status).toBe(400);
    expect(alertText(inPassword.html)).toMatch(/The password contains a NUL character/);
    expect(inPassword.html).toContain(`value="${alice.email}"`);
  });

  test('an over-long e-mail is refused before it is looked up', async () => {
    const answer = await signInWith({
      email: `${'a'.repeat(400)}@example.org`,
      password: 'whatever it is',
      code: '123456',
    });
    expect(answer.status).toBe(400);
    expect(alertText(answer.html)).toMatch(/longer than 320 characters/);
    expect(server.logLines.join('\n')).not.toMatch(/request failed/);
  });
});

test('an invitation password with a NUL is refused on the page, and the invitation stays usable', async () => {
  const carol = await addFixtureMember(t.db, 'carol', 'approver');
  const { link } = await inviteMember(t.db, carol.email, { publicUrl: server.url });
  const client = new WebClient(server.url);
  const page = await openInvitationLink(client, link);
  const refused = await client.submit(page, '/invite/password', {
    password: `quartz lantern${NUL} orbit 71`,
    confirmation: `quartz lantern${NUL} orbit 71`,
  });
  expect(refused.status).toBe(400);
  expect(alertText(refused.html)).toMatch(/The password contains a NUL character/);
  const accepted = await client.submit(refused, '/invite/password', {
    password: 'quartz lantern orbit meadow 71',
    confirmation: 'quartz lantern orbit meadow 71',
  });
  expect(accepted.status).toBe(303);
});

describe('the dashboard', () => {
  test('a case reference with a NUL is a 400 on pages and the JSON API, not a failed query', async () => {
    const page = await alice.client.get('/dashboard/cases/SEC%00-1');
    expect(page.status).toBe(400);
    expect(page.html).toMatch(/contains a NUL character/);
    const api = await alice.client.get('/api/dashboard/cases/SEC%00-1/messages');
    expect(api.status).toBe(400);
    expect(JSON.parse(api.html).error).toMatch(/contains a NUL character/);
    expect((await alice.client.get(`/api/dashboard/cases/${'S'.repeat(100)}/recipients`)).status).toBe(400);
  });

  test('metadata with a NUL, or a field sent twice, is refused and changes nothing', async () => {
    const casePage = await alice.client.get(`/dashboard/cases/${reference}`);
    expect(casePage.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(casePage.html)![1]!;
    const post = (body: string) =>
      fetch(`${server.url}/dashboard/cases/${reference}/severity`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: alice.client.jar.header() },
        body: `_csrf=${encodeURIComponent(csrf)}&${body}`,
      });
    const vector = encodeURIComponent('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    const withNul = await post(`vector=${vector}&cwe=&affectedVersions=1.0${encodeURIComponent(NUL)}`);
    expect(withNul.status).toBe(400);
    expect(await withNul.text()).toMatch(/The affected versions contains a NUL character/);
    const twice = await post(
      `vector=${vector}&vector=${vector}&cwe=CWE-79&cwe=CWE-80&affectedVersions=1.0&affectedVersions=2.0`,
    );
    expect(twice.status).toBe(400);
    const row = await t.db
      .selectFrom('cases')
      .select(['severity_vector', 'affected_versions'])
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ severity_vector: null, affected_versions: null });
    const stored = await post(`vector=${vector}&cwe=CWE-79&affectedVersions=1.0`);
    expect(stored.status).toBe(303);
  });

  test('a JSON message that is not a string, or holds a NUL, is a 400', async () => {
    const casePage = await alice.client.get(`/dashboard/cases/${reference}`);
    const csrf = /data-csrf="([^"]+)"/.exec(casePage.html)![1]!;
    const send = (body: unknown) =>
      fetch(`${server.url}/api/dashboard/cases/${reference}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, cookie: alice.client.jar.header() },
        body: JSON.stringify(body),
      });
    for (const body of [
      { role: 'comment', message: `-----BEGIN PGP MESSAGE-----${NUL}` },
      { role: 'comment', message: ['x'] },
      { role: ['comment'], message: 'x' },
    ]) {
      expect((await send(body)).status).toBe(400);
    }
  });
});

test('the JSON API refuses a reporter key with a NUL or a broken surrogate, and stores nothing', async () => {
  const before = await countCaseRows(t.db);
  const { body } = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: [fixtureKey('alice').publicKey, fixtureKey('bob').publicKey],
    text: 'x',
  });
  for (const suffix of [NUL, '\uD800']) {
    const answer = await postJson(`${server.url}/api/reports`, {
      ...body,
      reporter: { ...body.reporter, publicKey: `${body.reporter.publicKey}${suffix}` },
    });
    expect(answer.status).toBe(400);
    expect(String(answer.json.error)).toMatch(/reporter\.publicKey contains/);
  }
  expect(await countCaseRows(t.db)).toEqual(before);
  expect((await postJson(`${server.url}/api/reports`, body)).status).toBe(201);
});

describe('the CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-text-checks-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const intake = (...args: string[]) =>
    runProcess(process.execPath, [path.join(ROOT, 'server', 'cli', 'intake.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.url, DATA_DIR: dir },
      timeoutMs: 60_000,
    });
  const erin = fixtureKey('erin');
  const keyFile = async (name: string, contents: Buffer) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, contents);
    return file;
  };
  const memberCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('members')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('a key file with a NUL, or not UTF-8 at all (a binary export), is refused with what to do', async () => {
    const before = await memberCount();
    const withNul = await keyFile('nul.asc', Buffer.from(`${erin.publicKey}${NUL}`));
    const nul = await intake(
      'member',
      'add',
      '--name',
      'Erin',
      '--email',
      erin.email,
      '--role',
      'approver',
      '--key',
      withNul,
    );
    expect(nul.code).toBe(1);
    expect(nul.stderr).toMatch(/contains a NUL character/);

    const binary = await keyFile('binary.gpg', Buffer.from([0x99, 0x01, 0xff, 0xfe, 0x80, 0x00]));
    const notText = await intake(
      'member',
      'add',
      '--name',
      'Erin',
      '--email',
      erin.email,
      '--role',
      'approver',
      '--key',
      binary,
    );
    expect(notText.code).toBe(1);
    expect(notText.stderr).toMatch(/is not UTF-8 text/);
    expect(notText.stderr).toMatch(/gpg --armor --export/);
    expect(await memberCount()).toBe(before);
  });

  test('an over-long name or e-mail is refused before any query', async () => {
    const tooLong = await intake(
      'member',
      'add',
      '--name',
      'E'.repeat(300),
      '--email',
      erin.email,
      '--role',
      'approver',
      '--key',
      path.join(FIXTURE_KEYS_DIR, 'erin.pub.asc'),
    );
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/The name is longer than 200 characters/);
    const invite = await intake('member', 'invite', `${'x'.repeat(400)}@example.org`);
    expect(invite.code).toBe(1);
    expect(invite.stderr).toMatch(/The e-mail is longer than 320 characters/);
  });
});
