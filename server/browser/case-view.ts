// A case, read in the member's browser: each message is decrypted here with the member's own key,
// and notes, replies and reopening reasons are encrypted here before they are sent.
import { readPublicKeys, type PrivateKey } from '../../crypto/keys';
import { decryptSplit, encryptArmored } from '../../crypto/split-message';
import { downloadLink, fetchJson, fromBase64, show } from './dom';
import { reportFailedGrants } from './grants';
import { onLockedElsewhere, onUnlockedElsewhere, sessionKey } from './keyring';

interface TimelineMessage {
  id: string;
  role: string;
  packet: string | null;
  /** Made by another reader's browser (a grant): one that does not decrypt is reported. */
  granted?: boolean;
  body: string | null;
}

export async function startCaseView(root: HTMLElement, email: string): Promise<void> {
  const reference = root.dataset.reference ?? '';
  const keyStatus = root.querySelector<HTMLElement>('[data-key-status]');
  const key = await sessionKey(email);
  if (!key) {
    if (keyStatus)
      keyStatus.textContent =
        'Your key is locked in this browser. Unlock it on the "My key" page (in any tab) to read this case here, or download a message for gpg.';
    // Unlocked in another tab of this session: read the case here without a reload.
    onUnlockedElsewhere(() => void startCaseView(root, email));
    return;
  }
  onLockedElsewhere(() => {
    for (const slot of root.querySelectorAll<HTMLElement>('[data-content]'))
      slot.textContent = 'Locked: your key was locked in another tab.';
    for (const form of root.querySelectorAll('form[data-composer]')) show(form, false);
    if (keyStatus) keyStatus.textContent = 'Your key is locked in this browser.';
  });
  if (keyStatus) keyStatus.textContent = 'Decrypted in this browser with your key.';
  const { messages } = await fetchJson<{ messages: TimelineMessage[] }>(
    `/api/dashboard/cases/${encodeURIComponent(reference)}/messages`,
  );
  const failedGrants: string[] = [];
  for (const message of messages)
    if (!(await showMessage(root, message, key)) && message.granted) failedGrants.push(message.id);
  startComposers(root, reference);
  if (failedGrants.length > 0) {
    await reportFailedGrants(reference, root.dataset.csrf ?? '', failedGrants).catch(() => undefined);
    if (keyStatus)
      keyStatus.textContent = `${failedGrants.length} message${failedGrants.length === 1 ? '' : 's'} granted to you could not be decrypted; another reader will grant ${failedGrants.length === 1 ? 'it' : 'them'} again.`;
  }
}

/** Decrypts one message into its slot; false when its packet does not decrypt with this key. */
async function showMessage(root: HTMLElement, message: TimelineMessage, key: PrivateKey): Promise<boolean> {
  const slot = root.querySelector<HTMLElement>(`[data-message="${CSS.escape(message.id)}"] [data-content]`);
  if (!message.packet || !message.body) return true;
  try {
    const binary = message.role === 'attachment';
    const { data, filename } = await decryptSplit({
      sessionKeyPacket: fromBase64(message.packet),
      body: fromBase64(message.body),
      decryptionKey: key,
      binary,
    });
    if (!slot) return true;
    if (binary)
      slot.replaceChildren(
        downloadLink(data as Uint8Array, filename, `Download ${filename || 'attachment'} (decrypted here)`),
      );
    else slot.textContent = data as string;
    return true;
  } catch {
    if (slot) slot.textContent = 'This message could not be decrypted with the key unlocked in this browser.';
    return false;
  }
}

export interface Recipients {
  readers: { name: string; publicKey: string }[];
  reporter: { publicKey: string } | null;
}

export const recipientsOf = (reference: string, role: 'comment' | 'reply') =>
  fetchJson<Recipients>(`/api/dashboard/cases/${encodeURIComponent(reference)}/recipients?role=${role}`);

/** Encrypts text in this browser to the readers (and for a reply the reporter) the server named. */
export async function encryptTo(recipients: Recipients, text: string): Promise<string> {
  const armoredKeys = [
    ...recipients.readers.map((r) => r.publicKey),
    ...(recipients.reporter ? [recipients.reporter.publicKey] : []),
  ];
  return encryptArmored({ data: text, recipients: await readPublicKeys(armoredKeys) });
}

/** Who will read a reply, in words, from the readers the server named just now. */
function replyAudience(recipients: Recipients): string {
  const n = recipients.readers.length;
  return `The reporter and the ${n} reader${n === 1 ? '' : 's'} of this case (${recipients.readers.map((r) => r.name).join(', ')}) will read it.`;
}

/** Resolves true when the member confirms sending to the reporter in the dialog, false when they go back to editing. */
function confirmReply(form: HTMLFormElement, audience: string): Promise<boolean> {
  const dialog = form.querySelector<HTMLDialogElement>('[data-reply-confirm]')!;
  dialog.querySelector<HTMLElement>('[data-reply-audience]')!.textContent = audience;
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      dialog.removeEventListener('cancel', onCancel);
      send.removeEventListener('click', onSend);
      keep.removeEventListener('click', onKeep);
      dialog.close();
      resolve(answer);
    };
    const send = dialog.querySelector<HTMLButtonElement>('[data-reply-send]')!;
    const keep = dialog.querySelector<HTMLButtonElement>('[data-reply-cancel]')!;
    const onSend = () => done(true);
    const onKeep = () => done(false);
    const onCancel = (event: Event) => {
      event.preventDefault();
      done(false);
    };
    send.addEventListener('click', onSend);
    keep.addEventListener('click', onKeep);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    // The safe answer has the focus: Enter does not send.
    keep.focus();
  });
}

/** The two composers: an internal note (readers only) and, apart from it, a reply the reporter reads after a confirmation. */
function startComposers(root: HTMLElement, reference: string): void {
  for (const form of root.querySelectorAll<HTMLFormElement>('form[data-composer]')) {
    const role = form.dataset.composer === 'reply' ? 'reply' : 'comment';
    show(form, true);
    const status = form.querySelector<HTMLElement>('[data-composer-status]')!;
    const textarea = form.querySelector<HTMLTextAreaElement>('textarea')!;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = textarea.value;
      if (text.trim() === '') return;
      const decision = form.querySelector<HTMLInputElement>('[data-entry-decision]')?.checked === true;
      const closed = form.querySelector<HTMLInputElement>('[data-committee-closed]')?.checked === true;
      if (closed && !decision) {
        status.textContent =
          'Only the committee’s decision can say that the committee closed its case: choose “The decision of the CNCF Code of Conduct Committee”. Nothing was sent.';
        return;
      }
      void (async () => {
        try {
          const recipients = await recipientsOf(reference, role);
          if (role === 'reply' && !(await confirmReply(form, replyAudience(recipients)))) {
            status.textContent = 'Not sent. Your text is still here.';
            textarea.focus();
            return;
          }
          status.textContent = 'Encrypting in this browser…';
          const message = await encryptTo(recipients, text);
          const headers = { 'Content-Type': 'application/json', 'x-csrf-token': root.dataset.csrf ?? '' };
          const base = `/api/dashboard/cases/${encodeURIComponent(reference)}`;
          // A liaison's entry: a comment, or the committee's decision (which may end the appointment).
          const stored = decision
            ? await fetchJson<{ next?: string }>(`${base}/committee-decision`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ message, committeeClosed: closed }),
              })
            : await fetchJson<{ next?: string }>(`${base}/messages`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ role, message }),
              });
          status.textContent = 'Sent.';
          if (stored.next) window.location.assign(stored.next);
          else window.location.reload();
        } catch (error) {
          status.textContent = `Not sent: ${(error as Error).message} Your text is still here.`;
        }
      })();
    });
  }
}

/**
 * Reopening with JavaScript: the reason is encrypted here to the case's readers and only the
 * ciphertext is posted (needs no private key). Without JavaScript the form posts the text and the
 * server encrypts it in memory.
 */
export function startReopenForm(form: HTMLFormElement, reference: string): void {
  const status = form.querySelector<HTMLElement>('[data-reopen-status]')!;
  const textarea = form.querySelector<HTMLTextAreaElement>('textarea')!;
  const encrypted = form.querySelector<HTMLInputElement>('input[name="reasonMessage"]')!;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (textarea.value.trim() === '') return;
    void (async () => {
      try {
        status.textContent = 'Encrypting the reason in this browser…';
        encrypted.value = await encryptTo(await recipientsOf(reference, 'comment'), textarea.value.trim());
        // The plaintext stays in the page: only the ciphertext is sent.
        textarea.removeAttribute('name');
        form.submit();
      } catch (error) {
        status.textContent = `Not reopened: ${(error as Error).message} Your text is still here.`;
      }
    })();
  });
}
