// Members who sign in, for tests: the app on a socket with a clock the test moves, and the whole
// invitation → password → authenticator → recovery codes flow driven over HTTP.
import type { Kysely } from 'kysely';
import { generate } from 'otplib';
import type { Database, MemberRole } from '../../db/database';
import { inviteMember } from '../../server/auth/invitations';
import { WebClient, type Page } from './cookie-jar';
import { addFixtureMember, fixtureKey, type GoodKeyName } from './keys';
import { startTestServer } from './server';

/** Strong enough for zxcvbn (score 4) and not derived from any fixture name. */
export const STRONG_PASSWORD = 'quartz lantern orbit meadow 71';

/** Real time plus an offset the test moves: TOTP steps, lock-outs and session ages without waiting. */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface AuthTestServer {
  url: string;
  clock: TestClock;
  logLines: string[];
  close(): Promise<void>;
}

/**
 * Like startTestServer, with the test's clock; `env` sets the config (SIGNIN_CLIENT_LIMIT, PUBLIC_URL, …).
 * Instances that share a database should share a clock too, as real ones share the time.
 */
export async function startAuthServer(
  db: Kysely<Database>,
  env: Record<string, string> = {},
  clock = new TestClock(),
): Promise<AuthTestServer> {
  return { ...(await startTestServer(db, env, { clock: clock.now })), clock };
}

/**
 * A code for the next time step: moves the clock 30 s first, so that every code a test makes is new
 * to the server (which accepts each step once).
 */
export async function nextTotpCode(server: AuthTestServer, secret: string): Promise<string> {
  server.clock.advance(30_000);
  return generate({ secret, epoch: Math.floor(server.clock.now().getTime() / 1000) });
}

/** The TOTP secret shown on the enrolment page. */
export function totpSecretIn(html: string): string {
  const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(html)?.[1];
  if (!secret) throw new Error('No TOTP secret on this page');
  return secret;
}

export function recoveryCodesIn(html: string): string[] {
  return [...html.matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]!);
}

export interface EnrolledMember {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
  recoveryCodes: string[];
  /** The browser that enrolled, signed in. */
  client: WebClient;
}

/** Follows an invitation link to the password step: GET the link, then its redirect. */
export async function openInvitationLink(client: WebClient, link: string): Promise<Page> {
  return client.follow(await client.get(new URL(link).pathname));
}

/** Adds the fixture member, invites it and enrols it over HTTP; the member ends signed in. */
export async function enrolMember(
  db: Kysely<Database>,
  server: AuthTestServer,
  name: GoodKeyName,
  role: MemberRole = 'srt',
): Promise<EnrolledMember> {
  const member = await addFixtureMember(db, name, role);
  const { link } = await inviteMember(db, member.email, { publicUrl: server.url });
  const client = new WebClient(server.url);
  const passwordPage = await openInvitationLink(client, link);
  const chosen = await client.submit(passwordPage, '/invite/password', {
    password: STRONG_PASSWORD,
    confirmation: STRONG_PASSWORD,
  });
  if (chosen.status !== 303) throw new Error(`Password step failed with ${chosen.status}`);
  const totpPage = await client.follow(chosen);
  const totpSecret = totpSecretIn(totpPage.html);
  const done = await client.submit(totpPage, '/invite/authenticator', { code: await nextTotpCode(server, totpSecret) });
  if (done.status !== 200) throw new Error(`Authenticator step failed with ${done.status}`);
  return {
    id: member.id,
    email: fixtureKey(name).email,
    password: STRONG_PASSWORD,
    totpSecret,
    recoveryCodes: recoveryCodesIn(done.html),
    client,
  };
}

/** Signs in from `client` (a new browser by default) with the member's password and a fresh TOTP code unless `code` is given. */
export async function signIn(
  server: AuthTestServer,
  member: Pick<EnrolledMember, 'email' | 'password' | 'totpSecret'>,
  options: { client?: WebClient; code?: string; password?: string; next?: string } = {},
): Promise<{ client: WebClient; page: Page }> {
  const client = options.client ?? new WebClient(server.url);
  const form = await client.get(options.next ? `/signin?next=${encodeURIComponent(options.next)}` : '/signin');
  const code = options.code ?? (await nextTotpCode(server, member.totpSecret));
  const page = await client.submit(form, '/signin', {
    email: member.email,
    password: options.password ?? member.password,
    code,
    ...(options.next ? { next: options.next } : {}),
  });
  return { client, page };
}
