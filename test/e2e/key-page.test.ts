// "My key" in headless Chromium (issue 7, items 6 and 7): it refuses another member's private key and
// keeps nothing of it; it takes the member's own; a key made on the page is an OpenPGP v4 key whose
// downloaded backup stock gpg 2.2 imports and decrypts a case message with, once the member has
// explicitly put it on file — which the audit log records as the member's act.
import fs from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readKey } from 'openpgp';
import { messageConfig } from '../../crypto/openpgp-config';
import { exportCaseForMember } from '../../server/cases/cases';
import { launchChromium } from '../helpers/browser';
import { submitReport } from '../helpers/dashboard';
import { enrolInBrowser, importKeyInBrowser, protectedFixtureKey } from '../helpers/dashboard-browser';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { createGnupgHome } from '../helpers/gnupg';
import { addFixtureMember, fixtureKey } from '../helpers/keys';
import { startAuthServer, type AuthTestServer } from '../helpers/member-auth';

const PASSPHRASE = 'correct horse battery staple 42';
let t: TestDatabase;
let server: AuthTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let aliceId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startAuthServer(t.db);
  browser = await launchChromium();
  aliceId = (await addFixtureMember(t.db, 'alice', 'srt')).id;
  await addFixtureMember(t.db, 'bob', 'srt');
  context = await browser.newContext({ acceptDownloads: true });
  page = await context.newPage();
  await enrolInBrowser(page, t.db, server, { id: aliceId, email: fixtureKey('alice').email });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await t?.destroy();
});

const status = () => page.locator('[data-keyring-status]').innerText();
const keyOnFile = async () =>
  (
    await t.db
      .selectFrom('member_keys')
      .select('fingerprint')
      .where('member_id', '=', aliceId)
      .where('retired_at', 'is', null)
      .executeTakeFirstOrThrow()
  ).fingerprint;

test("another member's private key is refused, saying whose key is on file, and nothing of it is kept", async () => {
  await page.goto(`${server.url}/dashboard/key`);
  await page.locator('form[data-import]').waitFor({ state: 'visible' });
  await page.setInputFiles('#key-file', {
    name: 'bob.asc',
    mimeType: 'application/pgp-keys',
    buffer: Buffer.from(await protectedFixtureKey('bob', PASSPHRASE)),
  });
  await page.fill('#key-pass', PASSPHRASE);
  await page.getByRole('button', { name: 'Import and unlock' }).click();
  await page.waitForFunction(() =>
    /Not imported/.test(document.querySelector('[data-keyring-status]')?.textContent ?? ''),
  );
  const said = await status();
  expect(said).toContain(
    `This key (${fixtureKey('bob').fingerprint}) is not your key on file (${fixtureKey('alice').fingerprint})`,
  );
  // What was typed stays; the page still offers the import.
  expect(await page.inputValue('#key-pass')).toBe(PASSPHRASE);
  await page.reload();
  await page.locator('[data-keyring-status]', { hasText: 'No key is stored in this browser yet.' }).waitFor();
  expect(await page.locator('form[data-import]').isVisible()).toBe(true);
  expect(await keyOnFile()).toBe(fixtureKey('alice').fingerprint);
});

test("the member's own key is imported and unlocked", async () => {
  expect(
    await importKeyInBrowser(page, server.url, await protectedFixtureKey('alice', PASSPHRASE), PASSPHRASE),
  ).toContain(fixtureKey('alice').fingerprint);
  await page.getByRole('button', { name: 'Forget the key in this browser' }).click();
  await page.locator('form[data-import]').waitFor({ state: 'visible' });
});

test('a key made on the page goes on file when asked; gpg imports its backup and decrypts a case message with it', async () => {
  await page.goto(`${server.url}/dashboard/key`);
  const generate = page.locator('form[data-generate]');
  await generate.waitFor({ state: 'visible' });
  expect(await page.isChecked('#gen-curve25519')).toBe(true);
  await page.fill('#gen-pass', PASSPHRASE);
  await page.check('#gen-confirm');
  await generate.getByRole('button', { name: 'Make a key' }).click();
  const backupLink = page.locator('[data-backup-link]');
  await backupLink.waitFor({ state: 'visible', timeout: 30_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), backupLink.click()]);
  const backup = await fs.readFile((await download.path())!, 'utf8');
  const made = await readKey({ armoredKey: backup, config: messageConfig });
  expect(made.isPrivate()).toBe(true);
  expect([made.keyPacket.version, ...made.subkeys.map((s) => s.keyPacket.version)]).toEqual([4, 4]);
  const fingerprint = made.getFingerprint().toUpperCase();
  expect(await keyOnFile()).toBe(fixtureKey('alice').fingerprint);

  await page.getByRole('button', { name: 'use it: replace my key on file' }).click();
  await page.locator('[data-keyring-status]', { hasText: `Your key on file is now ${fingerprint}` }).waitFor();
  expect(await status()).toContain(
    'Cases filed before stay readable with your old key until another reader re-wraps them',
  );
  expect(await keyOnFile()).toBe(fingerprint);
  const audit = await t.db
    .selectFrom('audit_log')
    .select(['actor_label', 'actor_member_id'])
    .where('action', '=', 'member.key-changed')
    .execute();
  expect(audit).toEqual([{ actor_label: 'member', actor_member_id: aliceId }]);

  const text = 'Token reuse in the webhook handler.';
  const { reference } = await submitReport(t.db, 'security', text);
  const [message] = await exportCaseForMember(t.db, reference, fixtureKey('alice').email);
  const gpg = await createGnupgHome();
  try {
    await gpg.importKey(backup);
    expect((await gpg.decrypt(message!.armored, PASSPHRASE)).toString('utf8')).toContain(text);
  } finally {
    await gpg.destroy();
  }
});
