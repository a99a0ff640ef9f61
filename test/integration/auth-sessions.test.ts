// Sessions in PostgreSQL: cookie attributes, rotation on sign-in, idle and absolute expiry, sign-out.
import { sha256 } from '../../server/auth/secrets';
import { csrfTokenIn, setCookieFor, WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { enrolMember, signIn, startAuthServer, type AuthTestServer, type EnrolledMember } from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let alice: EnrolledMember;
let bob: EnrolledMember;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  alice = await enrolMember(t.db, server, 'alice');
  bob = await enrolMember(t.db, server, 'bob');
});

afterAll(async () => {
  await server.close();
  await t.destroy();
});

const COOKIE = 'intake.session';
const sessionRow = (token: string) =>
  t.db
    .selectFrom('member_sessions')
    .select(['member_id', 'created_at', 'last_seen_at', 'expires_at'])
    .where('id_hash', '=', sha256(token))
    .executeTakeFirst();

/** Whether this browser is signed in: /account answers, or sends it to the sign-in page. */
async function signedIn(client: WebClient): Promise<boolean> {
  const page = await client.get('/account');
  if (page.status === 303) expect(page.location).toBe('/signin?next=%2Faccount');
  return page.status === 200;
}

describe('the session cookie', () => {
  test('over http: HttpOnly, SameSite=Strict, Path=/, no Max-Age; the database keeps only a hash of it', async () => {
    const { client, page } = await signIn(server, alice);
    const header = setCookieFor(page, COOKIE)!;
    expect(header).toMatch(/; Path=\//);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect(header).not.toMatch(/Secure|Max-Age|Expires/i);
    const token = client.jar.get(COOKIE)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await sessionRow(token);
    expect(row?.member_id).toBe(alice.id);
    expect(row!.expires_at.getTime() - row!.created_at.getTime()).toBe(12 * 3600_000);
    const everything = JSON.stringify(await t.db.selectFrom('member_sessions').selectAll().execute());
    expect(everything).not.toContain(token);
  });

  test('over https: the __Host- prefix and Secure', async () => {
    const https = await startAuthServer(t.db, { PUBLIC_URL: 'https://intake.example.org' }, server.clock);
    try {
      const { page } = await signIn(https, alice);
      expect(page.status).toBe(303);
      const header = setCookieFor(page, '__Host-intake.session')!;
      expect(header).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    } finally {
      await https.close();
    }
  });

  test('a page for members without a session goes to the sign-in page, and comes back after', async () => {
    const client = new WebClient(server.url);
    expect(await signedIn(client)).toBe(false);
    const { page } = await signIn(server, alice, { next: '/account' });
    expect(page.location).toBe('/account');
  });
});

describe('rotation', () => {
  test('signing in again gives a new token and ends the old session; a planted token is worthless', async () => {
    const { client } = await signIn(server, alice);
    const before = client.jar.get(COOKIE)!;
    const stolen = new WebClient(server.url);
    stolen.jar.set(COOKIE, before);
    expect(await signedIn(stolen)).toBe(true);

    const again = await signIn(server, alice, { client });
    expect(again.page.status).toBe(303);
    const after = client.jar.get(COOKIE)!;
    expect(after).not.toBe(before);
    expect(await sessionRow(before)).toBeUndefined();
    expect(await signedIn(stolen)).toBe(false);
    expect(await signedIn(client)).toBe(true);
  });
});

describe('expiry', () => {
  test('after 30 idle minutes the session is over and deleted; the cookie is cleared', async () => {
    const { client } = await signIn(server, alice);
    const token = client.jar.get(COOKIE)!;
    const idle = new Date(server.clock.now().getTime() - 31 * 60_000);
    await t.db
      .updateTable('member_sessions')
      .set({ last_seen_at: idle })
      .where('id_hash', '=', sha256(token))
      .execute();
    const page = await client.get('/account');
    expect(page.status).toBe(303);
    expect(setCookieFor(page, COOKIE)).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(await sessionRow(token)).toBeUndefined();
  });

  test('use keeps a session alive, refreshing last_seen_at at most once a minute; 12 hours end it regardless', async () => {
    const { client } = await signIn(server, alice);
    const token = client.jar.get(COOKIE)!;
    const first = (await sessionRow(token))!.last_seen_at;
    server.clock.advance(30_000);
    await client.get('/account');
    expect((await sessionRow(token))!.last_seen_at).toEqual(first);
    server.clock.advance(31_000);
    await client.get('/account');
    const touched = (await sessionRow(token))!.last_seen_at;
    expect(touched.getTime()).toBeGreaterThan(first.getTime() + 60_000);

    // Active every 20 minutes, for 12 hours: still ends.
    for (let elapsed = 0; elapsed < 12 * 60; elapsed += 20) {
      server.clock.advance(20 * 60_000);
      if (!(await signedIn(client))) break;
    }
    expect(await sessionRow(token)).toBeUndefined();
  });
});

describe('signing out', () => {
  test('sign out ends this session only, and needs the CSRF token', async () => {
    const one = await signIn(server, alice);
    const two = await signIn(server, alice);
    const account = await one.client.get('/account');

    const forged = await one.client.post('/signout', {});
    expect(forged.status).toBe(403);
    expect(await signedIn(one.client)).toBe(true);

    const out = await one.client.submit(account, '/signout', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/signin?signed-out=1');
    expect(one.client.jar.get(COOKIE)).toBeUndefined();
    expect((await one.client.follow(out)).html).toContain('You are signed out.');
    expect(await signedIn(one.client)).toBe(false);
    expect(await signedIn(two.client)).toBe(true);
  });

  test('sign out everywhere ends every session of the member, and no one else’s', async () => {
    const phone = await signIn(server, alice);
    const laptop = await signIn(server, alice);
    const other = await signIn(server, bob);
    const token = phone.client.jar.get(COOKIE)!;
    const page = await laptop.client.get('/account');
    expect(page.html.match(/<tr>\s*<td>/g)!.length).toBeGreaterThanOrEqual(2);
    expect(page.html).toContain('this browser');

    // A CSRF token is bound to its session: bob's token does not work for alice's browser.
    const bobsToken = csrfTokenIn((await other.client.get('/account')).html, '/signout/everywhere');
    expect((await laptop.client.post('/signout/everywhere', { _csrf: bobsToken })).status).toBe(403);

    const out = await laptop.client.submit(page, '/signout/everywhere', {});
    expect(out.location).toBe('/signin?signed-out=everywhere');
    expect(await signedIn(phone.client)).toBe(false);
    expect(await signedIn(laptop.client)).toBe(false);
    expect(await sessionRow(token)).toBeUndefined();
    const left = await t.db
      .selectFrom('member_sessions')
      .select('member_id')
      .where('member_id', '=', alice.id)
      .execute();
    expect(left).toEqual([]);
    expect(await signedIn(other.client)).toBe(true);
  });
});
