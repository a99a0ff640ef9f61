// The "My key" page: import, unlock, forget, or make a key — all in this browser.
import { encryptKey, generateKey, readPrivateKey } from 'openpgp';
import { messageConfig } from '../../crypto/openpgp-config';
import { fetchJson, show } from './dom';
import { forget, lockedKey, storeLockedKey, unlockForSession } from './keyring';

export async function startKeyPage(root: HTMLElement): Promise<void> {
  const email = root.dataset.email ?? '';
  const status = root.querySelector<HTMLElement>('[data-keyring-status]')!;
  const say = (text: string) => (status.textContent = text);
  const importForm = root.querySelector<HTMLFormElement>('[data-import]')!;
  const unlockForm = root.querySelector<HTMLFormElement>('[data-unlock]')!;
  const generateForm = root.querySelector<HTMLFormElement>('[data-generate]')!;

  const refresh = async () => {
    const stored = await lockedKey(email);
    say(stored ? 'A key is stored in this browser. Unlock it to read cases in this session.' : 'No key is stored in this browser yet.');
    show(unlockForm, Boolean(stored));
    show(importForm, !stored);
    show(generateForm, !stored);
  };

  importForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const file = root.querySelector<HTMLInputElement>('#key-file')!.files?.[0];
      const armored = file ? await file.text() : root.querySelector<HTMLTextAreaElement>('#key-text')!.value;
      const passphrase = root.querySelector<HTMLInputElement>('#key-pass')!.value;
      try {
        let key = await readPrivateKey({ armoredKey: armored, config: messageConfig });
        // An unprotected key is protected with the passphrase before it is stored.
        if (key.isDecrypted()) key = await encryptKey({ privateKey: key, passphrase, config: messageConfig });
        await storeLockedKey(email, key.armor(messageConfig));
        // A passphrase that does not unlock it leaves nothing stored, as "Not imported" says.
        await unlockForSession(email, passphrase).catch(async (error: unknown) => {
          await forget(email, true);
          throw error;
        });
        say(`Key ${key.getFingerprint().toUpperCase()} imported and unlocked for this session.`);
        show(importForm, false);
        show(generateForm, false);
        show(unlockForm, true);
      } catch (error) {
        say(`Not imported: ${(error as Error).message}`);
      }
    })();
  });

  unlockForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const passphrase = root.querySelector<HTMLInputElement>('#unlock-pass')!.value;
    unlockForSession(email, passphrase).then(
      () => say('Unlocked for this session. Open a case to read it.'),
      (error: Error) => say(error.message),
    );
  });

  root.querySelector('[data-forget]')?.addEventListener('click', () => void forget(email, true).then(refresh));

  generateForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const passphrase = root.querySelector<HTMLInputElement>('#gen-pass')!.value;
      say('Making your key…');
      const { privateKey, publicKey } = await generateKey({
        type: 'curve25519',
        userIDs: [{ name: root.dataset.name ?? '', email }],
        passphrase,
        format: 'armored',
        config: messageConfig,
      });
      await storeLockedKey(email, privateKey);
      const backup = root.querySelector<HTMLElement>('[data-backup]')!;
      const link = backup.querySelector<HTMLAnchorElement>('[data-backup-link]')!;
      link.href = URL.createObjectURL(new Blob([privateKey], { type: 'application/pgp-keys' }));
      let downloaded = false;
      link.addEventListener('click', () => (downloaded = true));
      show(generateForm, false);
      show(backup, true);
      say('Your key was made. Download its backup before you use it: nobody can recover it for you.');
      backup.querySelector('[data-publish]')!.addEventListener('click', () => {
        if (!downloaded) return say('Download the backup first.');
        fetchJson<{ fingerprint: string }>('/api/dashboard/key', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'x-csrf-token': root.dataset.csrf ?? '' },
          body: JSON.stringify({ publicKey }),
        }).then(
          async ({ fingerprint }) => {
            await unlockForSession(email, passphrase);
            say(`Your public key on file is now ${fingerprint}; new reports are encrypted to it.`);
          },
          (error: Error) => say(`The server refused the key: ${error.message}`),
        );
      });
    })();
  });

  await refresh();
}
