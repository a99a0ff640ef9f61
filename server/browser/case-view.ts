// A case, read in the member's browser: each message is decrypted here with the member's own key,
// and comments and replies are encrypted here before they are sent.
import { readKey, type PrivateKey, type PublicKey } from 'openpgp';
import { messageConfig } from '../../crypto/openpgp-config';
import { armorMessage, decryptSplit, encryptMessage } from '../../crypto/split-message';
import { downloadLink, fetchJson, fromBase64, show } from './dom';
import { sessionKey } from './keyring';

interface TimelineMessage {
  id: string;
  role: string;
  packet: string | null;
  body: string | null;
}

export async function startCaseView(root: HTMLElement, email: string): Promise<void> {
  const reference = root.dataset.reference ?? '';
  const keyStatus = root.querySelector<HTMLElement>('[data-key-status]');
  const key = await sessionKey(email);
  if (!key) {
    if (keyStatus) keyStatus.textContent = 'Your key is locked in this browser. Unlock it on the "My key" page to read this case here, or download a message for gpg.';
    return;
  }
  if (keyStatus) keyStatus.textContent = 'Decrypted in this browser with your key.';
  const { messages } = await fetchJson<{ messages: TimelineMessage[] }>(`/api/dashboard/cases/${encodeURIComponent(reference)}/messages`);
  for (const message of messages) await showMessage(root, message, key);
  startComposer(root, reference);
}

async function showMessage(root: HTMLElement, message: TimelineMessage, key: PrivateKey): Promise<void> {
  const slot = root.querySelector<HTMLElement>(`[data-message="${CSS.escape(message.id)}"] [data-content]`);
  if (!slot || !message.packet || !message.body) return;
  try {
    const binary = message.role === 'attachment';
    const { data, filename } = await decryptSplit({ sessionKeyPacket: fromBase64(message.packet), body: fromBase64(message.body), decryptionKey: key, binary });
    if (binary) slot.replaceChildren(downloadLink(data as Uint8Array, filename, `Download ${filename || 'attachment'} (decrypted here)`));
    else slot.textContent = data as string;
  } catch {
    slot.textContent = 'This message could not be decrypted with the key unlocked in this browser.';
  }
}

function startComposer(root: HTMLElement, reference: string): void {
  const form = root.querySelector<HTMLFormElement>('[data-composer]');
  if (!form) return;
  show(form, true);
  const status = form.querySelector<HTMLElement>('[data-composer-status]')!;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const role = (event.submitter as HTMLButtonElement | null)?.value === 'reply' ? 'reply' : 'comment';
    const text = form.querySelector<HTMLTextAreaElement>('textarea')!.value;
    if (text.trim() === '') return;
    void (async () => {
      try {
        status.textContent = 'Encrypting in this browser…';
        const recipients = await fetchJson<{ readers: { publicKey: string }[]; reporter: { publicKey: string } | null }>(
          `/api/dashboard/cases/${encodeURIComponent(reference)}/recipients?role=${role}`,
        );
        const armoredKeys = [...recipients.readers.map((r) => r.publicKey), ...(recipients.reporter ? [recipients.reporter.publicKey] : [])];
        const keys = await Promise.all(armoredKeys.map(async (armoredKey) => (await readKey({ armoredKey, config: messageConfig })) as PublicKey));
        const message = armorMessage(await encryptMessage({ data: text, recipients: keys }));
        await fetchJson(`/api/dashboard/cases/${encodeURIComponent(reference)}/messages`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'x-csrf-token': root.dataset.csrf ?? '' },
          body: JSON.stringify({ role, message }),
        });
        status.textContent = 'Sent.';
        window.location.reload();
      } catch (error) {
        status.textContent = `Not sent: ${(error as Error).message} Your text is still here.`;
      }
    })();
  });
}
