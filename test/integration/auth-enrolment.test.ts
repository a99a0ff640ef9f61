// Following an invitation over HTTP: password (strength-checked), authenticator (confirmed), recovery codes.
import { inviteMember } from '../../server/auth/invitations';
import { sha256 } from '../../server/auth/secrets';
import { DomainError } from '../../server/errors';
import { alertText, setCookieFor, WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember } from '../helpers/keys';
import {
  enrolMember,
  nextTotpCode,
  openInvitationLink,
  recoveryCodesIn,
  startAuthServer,
  STRONG_PASSWORD,
  totpSecretIn,
  type AuthTestServer,
} from '../helpers/member-auth';

let t: TestDatabase;
let server: AuthTestServer;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
});

afterAll(async () => {
  await server.close();
  await t.destroy();
});

const INVALID = /This invitation link cannot be used/;

describe('following an invitation', () => {
  test('password → authenticator → recovery codes → signed in, each step refusing bad input', async () => {
    const alice = await addFixtureMember(t.db, 'alice', 'srt');
    const { link, expiresAt } = await inviteMember(t.db, alice.email, { publicUrl: server.url });
    const token = new URL(link).pathname.split('/').pop()!;
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(71.9 * 3600_000);
    const stored = await t.db.selectFrom('invitations').select('token_hash').executeTakeFirstOrThrow();
    expect(stored.token_hash.equals(sha256(token))).toBe(true);

    // The token leaves the address bar at once: a cookie carries it from here on.
    const client = new WebClient(server.url);
    const landing = await client.get(new URL(link).pathname);
    expect(landing.status).toBe(303);
    expect(landing.location).toBe('/invite');
    expect(setCookieFor(landing, 'intake.invite')).toMatch(/HttpOnly/i);
    const passwordPage = await client.follow(landing);
    expect(passwordPage.status).toBe(200);
    expect(passwordPage.headers.get('cache-control')).toBe('no-store');
    expect(passwordPage.html).toContain('Welcome, Alice');
    expect(passwordPage.html).not.toContain(token);

    const tooShort = await client.submit(passwordPage, '/invite/password', {
      password: 'short',
      confirmation: 'short',
    });
    expect(tooShort.status).toBe(400);
    expect(alertText(tooShort.html)).toMatch(/at least 12 characters/);

    const weak = await client.submit(passwordPage, '/invite/password', {
      password: 'password1234',
      confirmation: 'password1234',
    });
    expect(weak.status).toBe(400);
    expect(alertText(weak.html)).toMatch(/too easy to guess.*commonly used password/);

    const personal = await client.submit(passwordPage, '/invite/password', {
      password: 'alice@example.org',
      confirmation: 'alice@example.org',
    });
    expect(personal.status).toBe(400);

    const mismatch = await client.submit(passwordPage, '/invite/password', {
      password: STRONG_PASSWORD,
      confirmation: `${STRONG_PASSWORD}!`,
    });
    expect(alertText(mismatch.html)).toMatch(/not the same/);
    expect(await t.db.selectFrom('invitations').select('pending_password_hash').executeTakeFirstOrThrow()).toEqual({
      pending_password_hash: null,
    });

    const chosen = await client.submit(passwordPage, '/invite/password', {
      password: STRONG_PASSWORD,
      confirmation: STRONG_PASSWORD,
    });
    expect(chosen.status).toBe(303);
    const totpPage = await client.follow(chosen);
    expect(totpPage.html).toContain('Step 2 of 2');
    const secret = totpSecretIn(totpPage.html);
    // QR code as inline SVG: no image URL, no data: URI, no script.
    expect(totpPage.html).toMatch(/<svg class="qr"[^>]*role="img"/);
    expect(totpPage.html).not.toMatch(/<img|data:|<script(?![^>]*src=)/);

    const wrong = await client.submit(totpPage, '/invite/authenticator', { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(alertText(wrong.html)).toMatch(/That code is not right/);
    expect(totpSecretIn(wrong.html)).toBe(secret);
    expect(await t.db.selectFrom('member_credentials').select('member_id').execute()).toEqual([]);

    const done = await client.submit(totpPage, '/invite/authenticator', { code: await nextTotpCode(server, secret) });
    expect(done.status).toBe(200);
    const codes = recoveryCodesIn(done.html);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(done.headers.get('cache-control')).toBe('no-store');
    expect(setCookieFor(done, 'intake.session')).toMatch(/HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/i);
    expect(client.jar.get('intake.invite')).toBeUndefined();

    const account = await client.get('/account');
    expect(account.status).toBe(200);
    expect(account.html).toContain('Recovery codes left: 10');

    // Stored: argon2id for the password, hashes for the codes, no invitation left.
    const credentials = await t.db
      .selectFrom('member_credentials')
      .select(['password_hash', 'totp_secret'])
      .executeTakeFirstOrThrow();
    expect(credentials.password_hash).toMatch(/^\$argon2id\$/);
    expect(credentials.totp_secret).toBe(secret);
    const codeRows = await t.db.selectFrom('recovery_codes').select('code_hash').execute();
    expect(codeRows).toHaveLength(10);
    const dump = JSON.stringify(await t.db.selectFrom('recovery_codes').select('code_hash').execute());
    for (const code of codes) expect(dump).not.toContain(code);
    expect(await t.db.selectFrom('invitations').select('member_id').execute()).toEqual([]);

    // The link is used up.
    const again = await openInvitationLink(new WebClient(server.url), link);
    expect(again.status).toBe(404);
    expect(again.html).toMatch(INVALID);
  });

  test('an expired invitation is refused', async () => {
    const bob = await addFixtureMember(t.db, 'bob', 'srt');
    const { link } = await inviteMember(t.db, bob.email, { publicUrl: server.url });
    await t.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('member_id', '=', bob.id)
      .execute();
    const page = await openInvitationLink(new WebClient(server.url), link);
    expect(page.status).toBe(404);
    expect(page.html).toMatch(INVALID);
  });

  test('a new invitation replaces the old one, whose link then fails', async () => {
    const carol = await addFixtureMember(t.db, 'carol', 'approver');
    const first = await inviteMember(t.db, carol.email, { publicUrl: server.url });
    const second = await inviteMember(t.db, carol.email, { publicUrl: server.url });
    expect((await openInvitationLink(new WebClient(server.url), first.link)).status).toBe(404);
    expect((await openInvitationLink(new WebClient(server.url), second.link)).status).toBe(200);
  });

  test('malformed tokens, a missing invitation cookie and forms without CSRF token are refused', async () => {
    const client = new WebClient(server.url);
    expect((await client.get('/invite/not-a-token')).status).toBe(404);
    expect((await client.get('/invite')).status).toBe(404);
    expect((await client.get(`/invite/${'A'.repeat(43)}`)).status).toBe(303);
    expect((await client.get('/invite')).status).toBe(404);

    const dave = await addFixtureMember(t.db, 'dave', 'approver');
    const { link } = await inviteMember(t.db, dave.email, { publicUrl: server.url });
    const page = await openInvitationLink(client, link);
    const forged = await client.post('/invite/password', { password: STRONG_PASSWORD, confirmation: STRONG_PASSWORD });
    expect(forged.status).toBe(403);
    expect(page.status).toBe(200);
    expect(
      await t.db
        .selectFrom('invitations')
        .select('pending_password_hash')
        .where('member_id', '=', dave.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({
      pending_password_hash: null,
    });
  });

  test('a member who already signs in gets no invitation: reset-auth is for that', async () => {
    const erin = await enrolMember(t.db, server, 'erin');
    const refused = await inviteMember(t.db, erin.email, { publicUrl: server.url }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).kind).toBe('conflict');
    expect((refused as DomainError).message).toMatch(/reset-auth/);
  });
});
