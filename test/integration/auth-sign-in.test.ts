// Signing in over HTTP: password + TOTP or a recovery code, one generic failure, lock-outs per account
// and client that nobody can impose on the owner from elsewhere (issue 7.10).
import { SIGN_IN_FAILED } from '../../server/auth/errors';
import { alertText, setCookieFor, WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, forgetRateLimits, type TestDatabase } from '../helpers/db';
import { addFixtureMember } from '../helpers/keys';
import {
  enrolMember,
  nextTotpCode,
  signIn,
  startAuthServer,
  type AuthTestServer,
  type EnrolledMember,
} from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;
let alice: EnrolledMember;

beforeAll(async () => {
  t = await createTestDatabase();
  // The per-client limit has its own test; here many failures come from one address, or from the
  // addresses a test names in X-Forwarded-For (the socket is loopback, a trusted proxy).
  server = await startAuthServer(t.db, { SIGNIN_CLIENT_LIMIT: '1000', TRUST_PROXY: 'loopback' });
  alice = await enrolMember(t.db, server, 'alice');
});

afterAll(async () => {
  await server.close();
  await t.destroy();
});

const countFailures = async () => t.db.selectFrom('sign_in_throttle').select(['failures', 'locked_until']).execute();

/** A browser at another network address (as the trusted proxy reports it). */
const clientAt = (address: string) => new WebClient(server.url, undefined, { 'x-forwarded-for': address });
/** The alert without the clock times, which move with the test's clock. */
const withoutTimes = (html: string) => alertText(html).replace(/\d\d:\d\d UTC \(in \d+ minutes?\)/g, 'TIME');

describe('signing in', () => {
  test('password and a TOTP code sign in: a session cookie, then the dashboard', async () => {
    const { client, page } = await signIn(server, alice);
    expect(page.status).toBe(303);
    expect(page.location).toBe('/dashboard');
    expect(setCookieFor(page, 'intake.session')).toMatch(/; HttpOnly/i);
    const account = await client.get('/account');
    expect(account.status).toBe(200);
    expect(account.html).toContain(alice.email);
    // The layout offers signing out, with a token bound to this session.
    expect(account.html).toMatch(
      /<form method="post" action="\/signout"><input type="hidden" name="_csrf" value="[^"]+">/,
    );
    expect(await countFailures()).toEqual([]);
  });

  test('`next` brings the member back to a page of this site, never to another', async () => {
    expect((await signIn(server, alice, { next: '/dashboard/cases/SEC-2026-0001?tab=2' })).page.location).toBe(
      '/dashboard/cases/SEC-2026-0001?tab=2',
    );
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/signout']) {
      expect((await signIn(server, alice, { next })).page.location).toBe('/dashboard');
    }
  });

  test('a wrong password, a wrong code, an unknown e-mail and an unfinished enrolment all get the same answer', async () => {
    const frank = await addFixtureMember(t.db, 'frank', 'srt'); // invited but never enrolled
    const attempts = [
      await signIn(server, alice, { password: `${alice.password}x` }),
      await signIn(server, alice, { code: '123456' }),
      await signIn(server, alice, { code: 'not a code at all' }),
      await signIn(server, { ...alice, email: 'nobody@example.org' }),
      await signIn(server, { ...alice, email: frank.email }),
    ];
    for (const { page } of attempts) {
      expect(page.status).toBe(401);
      expect(alertText(page.html)).toBe(`You are not signed in ${SIGN_IN_FAILED}`);
      expect(page.setCookies.some((c) => c.startsWith('intake.session=') && !/Expires=Thu, 01 Jan 1970/.test(c))).toBe(
        false,
      );
    }
    // The e-mail is kept, the password never echoed.
    expect(attempts[0]!.page.html).toContain(`value="${alice.email}"`);
    expect(attempts[0]!.page.html).not.toContain(alice.password);
    // A success clears this client's count; the account-wide count is left to expire (a success must
    // not give a guesser elsewhere a fresh count), so the tests below start after it.
    expect((await signIn(server, alice)).page.status).toBe(303);
    expect((await countFailures()).map((row) => row.failures)).toEqual([3, 1, 1]);
    server.clock.advance(15 * 60_000);
  });

  test('a TOTP code is accepted once: replaying it fails', async () => {
    const code = await nextTotpCode(server, alice.totpSecret);
    expect((await signIn(server, alice, { code })).page.status).toBe(303);
    expect((await signIn(server, alice, { code })).page.status).toBe(401);
    expect((await signIn(server, alice)).page.status).toBe(303);
  });

  test('a recovery code signs in once, and the account page says how many are left', async () => {
    const code = alice.recoveryCodes[0]!;
    const first = await signIn(server, alice, { code: code.toUpperCase().replace(/-/g, ' ') });
    expect(first.page.status).toBe(303);
    expect(first.page.location).toBe('/account?recovery-code-used=1');
    const account = await first.client.follow(first.page);
    expect(account.html).toMatch(/You signed in with a recovery code[\s\S]*You have 9 left/);
    expect((await signIn(server, alice, { code })).page.status).toBe(401);
    // A recovery code with the wrong password is refused and not used up.
    expect(
      (await signIn(server, alice, { code: alice.recoveryCodes[1]!, password: 'wrong password 123' })).page.status,
    ).toBe(401);
    expect((await signIn(server, alice, { code: alice.recoveryCodes[1]! })).page.status).toBe(303);
  });

  test('a form without its CSRF token, or with fields missing, is refused', async () => {
    const client = new WebClient(server.url);
    const forged = await client.post('/signin', {
      email: alice.email,
      password: alice.password,
      code: await nextTotpCode(server, alice.totpSecret),
    });
    expect(forged.status).toBe(403);
    const form = await client.get('/signin');
    const empty = await client.submit(form, '/signin', { email: alice.email, password: '', code: '' });
    expect(empty.status).toBe(400);
    expect(alertText(empty.html)).toMatch(/Enter your e-mail, your password and a code/);
  });
});

describe('lock-out per account and client', () => {
  test('five failures from one client lock it out of the account for 15 minutes, even with the right password; the page says until when', async () => {
    const bob = await enrolMember(t.db, server, 'bob');
    for (let i = 1; i <= 4; i++)
      expect((await signIn(server, bob, { password: `wrong password ${i}` })).page.status).toBe(401);
    const fifth = await signIn(server, bob, { password: 'wrong password 5' });
    expect(fifth.page.status).toBe(429);
    const { locked_until } = await t.db
      .selectFrom('sign_in_client_throttle')
      .select('locked_until')
      .where('locked_until', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(locked_until!.getTime() - server.clock.now().getTime()).toBeGreaterThan(14.9 * 60_000);
    const lockedUntil = locked_until!.toISOString().slice(11, 16);
    expect(alertText(fifth.page.html)).toMatch(
      new RegExp(`Too many failed sign-ins for this account.*paused until ${lockedUntil} UTC \\(in 15 minutes\\)`),
    );

    const rightButLocked = await signIn(server, bob);
    expect(rightButLocked.page.status).toBe(429);
    expect(alertText(rightButLocked.page.html)).toMatch(/paused until/);

    // Other accounts are not affected, nor is the owner elsewhere.
    expect((await signIn(server, alice)).page.status).toBe(303);
    expect((await signIn(server, bob, { client: clientAt('198.51.100.20') })).page.status).toBe(303);
    // Signing in elsewhere does not lift this client's lock.
    expect((await signIn(server, bob)).page.status).toBe(429);

    server.clock.advance(15 * 60_000);
    expect((await signIn(server, bob)).page.status).toBe(303);
  });

  test('an e-mail without an account locks out exactly like one with an account', async () => {
    const ghost = { email: 'ghost@example.org', password: 'whatever password', totpSecret: alice.totpSecret };
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await signIn(server, ghost)).page.status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });

  test('the count is shared through the database, whatever the capitalization of the e-mail', async () => {
    const carol = await enrolMember(t.db, server, 'carol', 'approver');
    await forgetRateLimits(t.db);
    const other = await startAuthServer(t.db, {}, server.clock);
    try {
      for (let i = 0; i < 2; i++)
        expect((await signIn(server, carol, { password: 'wrong password a' })).page.status).toBe(401);
      for (let i = 0; i < 2; i++)
        expect(
          (await signIn(other, { ...carol, email: carol.email.toUpperCase() }, { password: 'wrong password b' })).page
            .status,
        ).toBe(401);
      expect((await signIn(server, carol, { password: 'wrong password c' })).page.status).toBe(429);
      expect((await signIn(other, carol)).page.status).toBe(429);
    } finally {
      await other.close();
    }
  });
});

describe('nobody can lock the owner out from elsewhere (issue 7.10)', () => {
  test('five wrong passwords from five addresses: the owner, with the right password and code, gets in from a sixth', async () => {
    const dave = await enrolMember(t.db, server, 'dave');
    const statuses = [];
    for (let i = 1; i <= 5; i++)
      statuses.push(
        (await signIn(server, dave, { client: clientAt(`203.0.113.${i}`), password: `wrong password ${i}` })).page
          .status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 429]);

    // The distributed guesser is refused from then on, from any address, whatever it sends...
    const guess = await signIn(server, dave, { client: clientAt('203.0.113.6'), password: 'wrong password 6' });
    expect(guess.page.status).toBe(429);
    expect(alertText(guess.page.html)).toMatch(
      /many failed sign-ins for this account.*every attempt that is not right is refused/,
    );
    expect((await signIn(server, dave, { client: clientAt('203.0.113.7'), code: '000000' })).page.status).toBe(429);

    // ...but not the owner: right password and a TOTP code, or a recovery code, from a fresh address.
    const owner = await signIn(server, dave, { client: clientAt('198.51.100.7') });
    expect(owner.page.status).toBe(303);
    expect(owner.page.location).toBe('/dashboard');
    expect(
      (await signIn(server, dave, { client: clientAt('198.51.100.8'), code: dave.recoveryCodes[0]! })).page.status,
    ).toBe(303);
    // The success does not reset the account-wide count for the guesser.
    expect(
      (await signIn(server, dave, { client: clientAt('203.0.113.8'), password: 'wrong password 8' })).page.status,
    ).toBe(429);
  });

  test('an unknown e-mail gets exactly the answers a member gets', async () => {
    const erin = await enrolMember(t.db, server, 'erin');
    const answers = async (email: string, prefix: string) => {
      const pages = [];
      for (let i = 1; i <= 6; i++)
        pages.push(
          (
            await signIn(
              server,
              { ...erin, email },
              { client: clientAt(`${prefix}.${i}`), password: `wrong password ${i}` },
            )
          ).page,
        );
      return pages.map((page) => ({ status: page.status, text: withoutTimes(page.html) }));
    };
    const member = await answers(erin.email, '192.0.2');
    const ghost = await answers('nobody-at-all@example.org', '192.0.2');
    expect(ghost).toEqual(member);
    expect(member.map((a) => a.status)).toEqual([401, 401, 401, 401, 429, 429]);
  });

  test('wrong codes with the right password from many addresses close the account to everyone, without telling the guesser', async () => {
    const gina = await enrolMember(t.db, server, 'gina');
    const statuses = [];
    for (let i = 1; i <= 5; i++) {
      const page = (await signIn(server, gina, { client: clientAt(`198.18.0.${i}`), code: String(100000 + i) })).page;
      statuses.push({ status: page.status, text: withoutTimes(page.html) });
    }
    // Answered exactly as wrong passwords are: nothing says that the password was right.
    const wrongPassword = await signIn(server, gina, { client: clientAt('198.18.0.6'), password: 'not her password' });
    expect(statuses.map((a) => a.status)).toEqual([401, 401, 401, 401, 429]);
    expect(statuses[4]!.text).toBe(withoutTimes(wrongPassword.page.html));

    // Now even the right password and code are refused, and the page says why; a recovery code is not used up.
    const owner = await signIn(server, gina, { client: clientAt('198.51.100.30') });
    expect(owner.page.status).toBe(429);
    expect(alertText(owner.page.html)).toMatch(
      /paused until \d\d:\d\d UTC.*several wrong codes were typed with its password.*ask the operator to reset/,
    );
    expect(
      (await signIn(server, gina, { client: clientAt('198.51.100.31'), code: gina.recoveryCodes[0]! })).page.status,
    ).toBe(429);

    server.clock.advance(15 * 60_000);
    expect(
      (await signIn(server, gina, { client: clientAt('198.51.100.32'), code: gina.recoveryCodes[0]! })).page.status,
    ).toBe(303);
  });
});

describe('per-client limit', () => {
  test('a client that keeps failing, across accounts, is told to wait; successes do not count', async () => {
    await forgetRateLimits(t.db);
    const limited = await startAuthServer(t.db, { SIGNIN_CLIENT_LIMIT: '3' }, server.clock);
    try {
      expect((await signIn(limited, alice)).page.status).toBe(303);
      expect((await signIn(limited, alice)).page.status).toBe(303);
      for (const email of ['one@example.org', 'two@example.org', 'three@example.org']) {
        expect((await signIn(limited, { ...alice, email })).page.status).toBe(401);
      }
      const refused = await signIn(limited, alice);
      expect(refused.page.status).toBe(429);
      expect(alertText(refused.page.html)).toMatch(
        /Too many failed attempts from your network. Please try again after \d\d:\d\d UTC \(in 1[45] minutes\)/,
      );
      // The client is limited, not the account: from elsewhere alice still gets in.
      expect((await signIn(server, alice)).page.status).toBe(303);
    } finally {
      await limited.close();
    }
  });
});

describe('the log', () => {
  test('holds no password, TOTP secret or recovery code (after every test above)', async () => {
    const text = server.logLines.join('\n');
    expect(text).not.toContain(alice.password);
    expect(text).not.toContain(alice.totpSecret);
    for (const code of alice.recoveryCodes) expect(text).not.toContain(code);
  });
});
