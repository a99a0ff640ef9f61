// Drives the dashboard in headless Chromium as a member would: follow the invitation, set a password,
// enrol an authenticator, sign in, import a private key, open a case and wait until it is decrypted.
// The reporter's follow-up page too. Each step waits for what the page itself shows.
import type { Kysely } from 'kysely';
import { encryptKey, readPrivateKey } from 'openpgp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Database, MemberRole } from '../../db/database';
import { messageConfig } from '../../crypto/openpgp-config';
import { inviteMember } from '../../server/auth/invitations';
import { fixtureKey, type GoodKeyName } from './keys';
import { STRONG_PASSWORD, enrolMember, nextTotpCode, type AuthTestServer, type EnrolledMember } from './member-auth';

export interface BrowserMember {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
  recoveryCodes: string[];
}

export type EnrolmentStep = 'password' | 'authenticator' | 'recovery-codes';

/**
 * Invites a member (already added) and follows the link in `page`: password, authenticator,
 * recovery codes, then the dashboard. The page ends on /dashboard, signed in. `atEachStep` runs on
 * each step's page as it is shown (an accessibility scan, say).
 */
export async function enrolInBrowser(
  page: Page,
  db: Kysely<Database>,
  server: AuthTestServer,
  member: { id: string; email: string },
  atEachStep: (step: EnrolmentStep) => Promise<void> = async () => {},
): Promise<BrowserMember> {
  const { link } = await inviteMember(db, member.email, { publicUrl: server.url });
  await page.goto(link);
  if (new URL(page.url()).pathname !== '/invite') throw new Error(`The invitation link led to ${page.url()}`);
  await atEachStep('password');

  await page.fill('#f-password', STRONG_PASSWORD);
  await page.fill('#f-confirmation', STRONG_PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  const secretCode = page.locator('[data-totp-secret]');
  await secretCode.waitFor();
  // The secret is shown as text too, in groups of four, for typing in by hand.
  const totpSecret = (await secretCode.innerText()).replace(/\s+/g, '');
  if (totpSecret !== (await secretCode.getAttribute('data-totp-secret')))
    throw new Error('The TOTP secret shown differs from the one enrolled');
  await atEachStep('authenticator');

  await page.fill('#f-code', await nextTotpCode(server, totpSecret));
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await page.locator('[data-recovery-codes]').waitFor();
  const recoveryCodes = await page.locator('[data-recovery-codes] code').allInnerTexts();
  await atEachStep('recovery-codes');

  await page.getByRole('link', { name: /go to the dashboard/ }).click();
  await page.waitForURL(`${server.url}/dashboard`);
  return { id: member.id, email: member.email, password: STRONG_PASSWORD, totpSecret, recoveryCodes };
}

/** Signs in on the sign-in page with the password and a fresh TOTP code; the page ends where sign-in leads. */
export async function signInInBrowser(
  page: Page,
  server: AuthTestServer,
  member: Pick<BrowserMember, 'email' | 'password' | 'totpSecret'>,
): Promise<void> {
  await page.goto(`${server.url}/signin`);
  await page.fill('#f-email', member.email);
  await page.fill('#f-password', member.password);
  await page.fill('#f-code', await nextTotpCode(server, member.totpSecret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/signin');
}

/** The fixture's (unprotected) secret key, protected with `passphrase`, armored: what a member exports from GnuPG. */
export async function protectedFixtureKey(name: GoodKeyName, passphrase: string): Promise<string> {
  const privateKey = await readPrivateKey({ armoredKey: fixtureKey(name).secretKey, config: messageConfig });
  return (await encryptKey({ privateKey, passphrase, config: messageConfig })).armor(messageConfig);
}

/** On "My key": chooses the armored key as a file, types its passphrase, and waits until it is unlocked. */
export async function importKeyInBrowser(
  page: Page,
  baseUrl: string,
  armoredKey: string,
  passphrase: string,
): Promise<string> {
  await page.goto(`${baseUrl}/dashboard/key`);
  const importForm = page.locator('form[data-import]');
  await importForm.waitFor({ state: 'visible' });
  await page.setInputFiles('#key-file', {
    name: 'private-key.asc',
    mimeType: 'application/pgp-keys',
    buffer: Buffer.from(armoredKey),
  });
  await page.fill('#key-pass', passphrase);
  await importForm.getByRole('button', { name: 'Import and unlock' }).click();
  const status = page.locator('[data-keyring-status]');
  await page.waitForFunction(() =>
    /imported and unlocked|Not imported/.test(document.querySelector('[data-keyring-status]')?.textContent ?? ''),
  );
  const said = await status.innerText();
  if (!said.includes('imported and unlocked')) throw new Error(`The key page said: ${said}`);
  return said;
}

/** On "My key", unlocks the key stored in this browser for the session. */
export async function unlockKeyInBrowser(page: Page, baseUrl: string, passphrase: string): Promise<void> {
  await page.goto(`${baseUrl}/dashboard/key`);
  await page.locator('form[data-unlock]').waitFor({ state: 'visible' });
  await page.fill('#unlock-pass', passphrase);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await page.locator('[data-keyring-status]', { hasText: 'Unlocked for this session' }).waitFor();
}

/**
 * Opens a case and waits until the page's script has decrypted every message and shown the
 * composer (it does that last), or has said that the key is locked.
 */
export async function openCaseInBrowser(page: Page, baseUrl: string, reference: string): Promise<void> {
  const response = await page.goto(`${baseUrl}/dashboard/cases/${reference}`);
  if (response?.status() !== 200) throw new Error(`GET /dashboard/cases/${reference} answered ${response?.status()}`);
  await waitForCaseDecrypted(page);
}

export async function waitForCaseDecrypted(page: Page): Promise<void> {
  await page
    .locator('form[data-composer]:visible, [data-key-status]:has-text("locked")')
    .first()
    .waitFor({ timeout: 30_000 });
}

/** The decrypted text of each message on the case page, by role, in timeline order. */
export async function caseMessages(page: Page): Promise<{ role: string; text: string }[]> {
  return page.locator('[data-message]').evaluateAll((items) =>
    items.map((item) => ({
      role: item.getAttribute('data-role') ?? '',
      text: item.querySelector('[data-content]')?.textContent ?? '',
    })),
  );
}

/**
 * Writes in the composer for a note (readers only) or a reply (the reporter too), sends it — a reply
 * through its confirmation dialog — and waits for the reloaded, decrypted page.
 */
export async function sendFromComposer(page: Page, role: 'comment' | 'reply', text: string): Promise<void> {
  const composer = page.locator(`form[data-composer="${role}"]`);
  await composer.locator('textarea').fill(text);
  const reloaded = page.waitForEvent('load');
  await composer
    .getByRole('button', { name: role === 'comment' ? 'Add internal note' : 'Send to the reporter…' })
    .click();
  if (role === 'reply')
    await composer.getByRole('dialog').getByRole('button', { name: 'Yes, send it to the reporter' }).click();
  await Promise.race([
    reloaded,
    page
      .waitForFunction(
        (r) =>
          /^Not sent/.test(
            document.querySelector(`form[data-composer="${r}"] [data-composer-status]`)?.textContent ?? '',
          ),
        role,
      )
      .then(async () => {
        throw new Error(await composer.locator('[data-composer-status]').innerText());
      }),
  ]);
  await waitForCaseDecrypted(page);
}

/**
 * A member in a browser of their own: added and enrolled over HTTP, signed in in a new context, and
 * (unless `withKey` is false) their protected fixture key imported and unlocked on "My key".
 */
export async function memberInBrowser(
  browser: Browser,
  db: Kysely<Database>,
  server: AuthTestServer,
  name: GoodKeyName,
  role: MemberRole,
  options: { withKey?: boolean; passphrase?: string; javaScript?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; member: EnrolledMember }> {
  const member = await enrolMember(db, server, name, role);
  const context = await browser.newContext({ javaScriptEnabled: options.javaScript ?? true });
  const page = await context.newPage();
  await signInInBrowser(page, server, member);
  if (options.withKey ?? true) {
    const passphrase = options.passphrase ?? 'correct horse battery staple 42';
    await importKeyInBrowser(page, server.url, await protectedFixtureKey(name, passphrase), passphrase);
  }
  return { context, page, member };
}

/** Clicks the move button with this label on the case page and waits for the page it leads to. */
export async function moveCaseInBrowser(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: label, exact: true }).click();
  await page.waitForLoadState('load');
}

/**
 * On /followup, types the receipt and opens the case; waits for the decrypted view, or fails with
 * what the page said.
 */
export async function openFollowupInBrowser(page: Page, baseUrl: string, receipt: string): Promise<void> {
  await page.goto(`${baseUrl}/followup`);
  await page.fill('#receipt', receipt);
  await page.getByRole('button', { name: 'Open' }).click();
  const view = page.locator('[data-followup-view]');
  // Done when the view shows, or the status says something other than the steps on the way.
  await page.waitForFunction(
    () =>
      !(document.querySelector('[data-followup-view]') as HTMLElement | null)?.hidden ||
      /^(?!Looking|Unlocking)./.test(document.querySelector('[data-status]')?.textContent ?? ''),
    undefined,
    { timeout: 30_000 },
  );
  if (!(await view.isVisible()))
    throw new Error(`The follow-up page said: ${await page.locator('[data-status]').innerText()}`);
}
