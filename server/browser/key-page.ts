// The "My key" page: import, unlock, forget, or make a key — all in this browser. Importing takes
// only the member's key on file; putting another key on file is its own action, which says what it
// means for the cases filed before.
import type { PrivateKey } from '../../crypto/keys';
import {
  generateMemberKey,
  lockedArmor,
  publicArmorOf,
  readMemberPrivateKey,
  type MemberKeyAlgorithm,
} from '../../crypto/member-key';
import { fetchJson, show } from './dom';
import { forget, lockedKey, storeLockedKey, unlockForSession } from './keyring';

export async function startKeyPage(root: HTMLElement): Promise<void> {
  const email = root.dataset.email ?? '';
  const status = root.querySelector<HTMLElement>('[data-keyring-status]')!;
  const say = (text: string) => (status.textContent = text);
  const importForm = root.querySelector<HTMLFormElement>('[data-import]')!;
  const replaceForm = root.querySelector<HTMLFormElement>('[data-replace]')!;
  const unlockForm = root.querySelector<HTMLFormElement>('[data-unlock]')!;
  const generateForm = root.querySelector<HTMLFormElement>('[data-generate]')!;
  const value = (selector: string) => root.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector)!.value;
  const armoredFrom = async (fileSelector: string, textSelector: string) =>
    (await root.querySelector<HTMLInputElement>(fileSelector)!.files?.[0]?.text()) ?? value(textSelector);

  const showForms = (stored: boolean) => {
    show(unlockForm, stored);
    for (const form of [importForm, replaceForm, generateForm]) show(form, !stored);
  };
  const refresh = async () => {
    const stored = Boolean(await lockedKey(email));
    say(
      stored
        ? 'A key is stored in this browser. Unlock it to read cases in this session.'
        : 'No key is stored in this browser yet.',
    );
    showForms(stored);
  };

  /** Keeps the key (protected with its passphrase) in this browser and unlocks it; nothing stays if that fails. */
  const keep = async (key: PrivateKey, passphrase: string) => {
    await storeLockedKey(email, await lockedArmor(key, passphrase));
    await unlockForSession(email, passphrase).catch(async (error: unknown) => {
      await forget(email, true);
      throw error;
    });
    showForms(true);
  };

  /** Puts this public key on file for the member: the explicit replacement, confirmed on the page. */
  const replaceOnFile = async (publicKey: string) => {
    const { fingerprint } = await fetchJson<{ fingerprint: string }>('/api/dashboard/key', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-csrf-token': root.dataset.csrf ?? '' },
      body: JSON.stringify({ publicKey, replace: true }),
    });
    root.dataset.fingerprint = fingerprint;
    root.querySelectorAll('[data-on-file]').forEach((node) => (node.textContent = fingerprint));
    return fingerprint;
  };

  const onSubmit = (form: HTMLFormElement, run: () => Promise<void>, failure: string) =>
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      run().catch((error: Error) => say(`${failure}: ${error.message}`));
    });

  onSubmit(
    importForm,
    async () => {
      const passphrase = value('#key-pass');
      const { fingerprint, locked } = await readMemberPrivateKey(
        await armoredFrom('#key-file', '#key-text'),
        passphrase,
        root.dataset.fingerprint ?? '',
      );
      await keep(locked, passphrase);
      say(`Key ${fingerprint} imported and unlocked for this session.`);
    },
    'Not imported',
  );

  onSubmit(
    replaceForm,
    async () => {
      const passphrase = value('#replace-pass');
      const { locked, unlocked } = await readMemberPrivateKey(
        await armoredFrom('#replace-file', '#replace-text'),
        passphrase,
        null,
      );
      const fingerprint = await replaceOnFile(publicArmorOf(unlocked));
      await keep(locked, passphrase);
      say(
        `Your key on file is now ${fingerprint}; new cases are encrypted to it, and it is unlocked for this session. Cases filed before stay readable with your old key until another reader re-wraps them for the new one.`,
      );
    },
    'Your key on file was not replaced',
  );

  onSubmit(
    unlockForm,
    async () => {
      await unlockForSession(email, value('#unlock-pass'));
      say('Unlocked for this session. Open a case to read it.');
    },
    'Not unlocked',
  );

  root.querySelector('[data-forget]')?.addEventListener('click', () => void forget(email, true).then(refresh));

  onSubmit(
    generateForm,
    async () => {
      const passphrase = value('#gen-pass');
      const algorithm = (root.querySelector<HTMLInputElement>('input[name="algorithm"]:checked')?.value ??
        'curve25519') as MemberKeyAlgorithm;
      say(algorithm === 'rsa3072' ? 'Making your RSA-3072 key (this can take a little while)…' : 'Making your key…');
      const made = await generateMemberKey({ name: root.dataset.name ?? '', email, passphrase, algorithm });
      const backup = root.querySelector<HTMLElement>('[data-backup]')!;
      const link = backup.querySelector<HTMLAnchorElement>('[data-backup-link]')!;
      link.href = URL.createObjectURL(new Blob([made.privateKey], { type: 'application/pgp-keys' }));
      let downloaded = false;
      link.addEventListener('click', () => (downloaded = true));
      show(generateForm, false);
      show(importForm, false);
      show(replaceForm, false);
      show(backup, true);
      say(
        `Your key ${made.fingerprint} was made. Download its backup before you use it: nobody can recover it for you.`,
      );
      backup.querySelector('[data-publish]')!.addEventListener('click', () => {
        if (!downloaded) return say('Download the backup first.');
        replaceOnFile(made.publicKey).then(
          async (fingerprint) => {
            await storeLockedKey(email, made.privateKey);
            await unlockForSession(email, passphrase);
            show(backup, false);
            showForms(true);
            say(
              `Your key on file is now ${fingerprint}; new cases are encrypted to it. Cases filed before stay readable with your old key until another reader re-wraps them for the new one.`,
            );
          },
          (error: Error) => say(`The server refused the key, so your key on file is unchanged: ${error.message}`),
        );
      });
    },
    'No key was made',
  );

  await refresh();
}
