// `intake member invite` and `intake member reset-auth` as subprocesses, against this file's database.
import fs from 'node:fs/promises';
import { Command } from 'commander';
import os from 'node:os';
import path from 'node:path';
import type { IssuedInvitation } from '../../server/auth/invitations';
import { accountHash } from '../../server/auth/secrets';
import { registerAuthCommands } from '../../server/cli/auth-commands';
import { createCliContext } from '../../server/cli/cli-context';
import { WebClient } from '../helpers/cookie-jar';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { enrolMember, openInvitationLink, signIn, startAuthServer, type AuthTestServer } from '../helpers/member-auth';
import { runIntakeCli } from '../helpers/cli';
import type { ProcessResult } from '../helpers/run-process';

let t: TestDatabase;
let server: AuthTestServer;
let dataDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-auth-cli-'));
});

afterAll(async () => {
  await server.close();
  await t.destroy();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const intake = (...args: string[]): Promise<ProcessResult> =>
  runIntakeCli(args, { DATABASE_URL: t.url, DATA_DIR: dataDir, PUBLIC_URL: 'https://intake.example.org/' });

/** The invitation link the CLI printed (stdout holds the link alone), for this test server. */
function printedLink(result: ProcessResult): string {
  const out = result.stdout.toString().trim();
  expect(out).toMatch(/^https:\/\/intake\.example\.org\/invite\/[A-Za-z0-9_-]{43}$/);
  return out.replace('https://intake.example.org', server.url);
}

describe('intake member invite', () => {
  test('prints a one-time link under PUBLIC_URL that opens the password step; a second invite replaces the first', async () => {
    const carol = await addFixtureMember(t.db, 'carol', 'approver');
    const first = await intake('member', 'invite', carol.email);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/valid until .* \(72 hours\), usable once/);
    const firstLink = printedLink(first);

    const second = await intake('member', 'invite', carol.email.toUpperCase());
    expect(second.code).toBe(0);
    const secondLink = printedLink(second);
    expect(secondLink).not.toBe(firstLink);

    expect((await openInvitationLink(new WebClient(server.url), firstLink)).status).toBe(404);
    const page = await openInvitationLink(new WebClient(server.url), secondLink);
    expect(page.status).toBe(200);
    expect(page.html).toContain(carol.email);
  });

  test('an unknown e-mail, or a member who already signs in, is refused with the reason', async () => {
    const unknown = await intake('member', 'invite', 'nobody@example.org');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No member has the e-mail nobody@example.org/);
    expect(unknown.stdout.toString()).toBe('');

    const dave = await enrolMember(t.db, server, 'dave', 'approver');
    const enrolled = await intake('member', 'invite', dave.email);
    expect(enrolled.code).toBe(1);
    expect(enrolled.stderr).toMatch(/already set up signing in.*intake member reset-auth/);
  });
});

describe('intake member reset-auth', () => {
  test('forgets password, authenticator and recovery codes, ends every session, and prints a link that enrols anew', async () => {
    const erin = await enrolMember(t.db, server, 'erin');
    const elsewhere = await signIn(server, erin);
    expect((await erin.client.get('/account')).status).toBe(200);

    const reset = await intake('member', 'reset-auth', fixtureKey('erin').email);
    expect(reset.code).toBe(0);
    expect(reset.stderr).toMatch(/Signing in was reset for .* 2 sessions ended/);
    const link = printedLink(reset);

    expect((await erin.client.get('/account')).status).toBe(303);
    expect((await elsewhere.client.get('/account')).status).toBe(303);
    const counts = await Promise.all(
      (['member_credentials', 'recovery_codes', 'member_sessions'] as const).map((table) =>
        t.db.selectFrom(table).select('member_id').where('member_id', '=', erin.id).execute(),
      ),
    );
    expect(counts).toEqual([[], [], []]);
    expect((await signIn(server, erin)).page.status).toBe(401);
    expect((await signIn(server, erin, { code: erin.recoveryCodes[0]! })).page.status).toBe(401);

    const page = await openInvitationLink(new WebClient(server.url), link);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Step 1 of 2');
  });

  test('also lifts a lock-out, so that the member can sign in once enrolled again', async () => {
    const frank = await enrolMember(t.db, server, 'frank');
    for (let i = 0; i < 5; i++) await signIn(server, frank, { password: `wrong password ${i}` });
    expect((await signIn(server, frank)).page.status).toBe(429);
    expect((await intake('member', 'reset-auth', frank.email)).code).toBe(0);
    const locks = await t.db
      .selectFrom('sign_in_throttle')
      .select('failures')
      .where('account_hash', '=', accountHash(frank.email))
      .execute();
    expect(locks).toEqual([]);
  });
});

describe('the mail hook', () => {
  /** Runs one command in this process, with a mail hook that keeps what it is handed; returns that and what was printed. */
  async function withMailHook(
    argv: string[],
    settings: Record<string, string>,
  ): Promise<{ mailed: IssuedInvitation[]; printed: string[] }> {
    const mailed: IssuedInvitation[] = [];
    const printed: string[] = [];
    const program = new Command('intake').exitOverride();
    registerAuthCommands(program, createCliContext(process.env), {
      mailInvite: async (invitation) => {
        mailed.push(invitation);
        return 'mailed';
      },
    });
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const saved = Object.keys(settings).map((name) => [name, process.env[name]] as const);
    Object.assign(process.env, settings);
    try {
      await program.parseAsync(['node', 'intake', ...argv]);
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      log.mockRestore();
      error.mockRestore();
    }
    return { mailed, printed };
  }

  test('mailInvite, when given, receives the same invitation whose link is printed', async () => {
    const gina = await addFixtureMember(t.db, 'gina', 'liaison');
    const { mailed, printed } = await withMailHook(['member', 'invite', gina.email], {
      DATABASE_URL: t.url,
      PUBLIC_URL: 'https://intake.example.org',
    });
    expect(mailed).toEqual([
      expect.objectContaining({ memberId: gina.id, email: gina.email, link: printed[0], purpose: 'invitation' }),
    ]);
    expect(printed[0]).toMatch(/^https:\/\/intake\.example\.org\/invite\//);
  });

  test('after reset-auth the mail hook is told it is a reset (so the mail does not say "you are invited")', async () => {
    const bob = await enrolMember(t.db, server, 'bob');
    const { mailed } = await withMailHook(['member', 'reset-auth', bob.email], { DATABASE_URL: t.url });
    expect(mailed).toEqual([expect.objectContaining({ memberId: bob.id, purpose: 'reset' })]);
  });
});
