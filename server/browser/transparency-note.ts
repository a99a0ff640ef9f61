// The transparency report's per-incident section, in an approver's browser: decrypted here with the
// member's key, encrypted here to every current approver's key, and added here to the Markdown
// download (the server's Markdown has the counts only and never sees the text).
import { readPublicKeys, type PrivateKey } from '../../crypto/keys';
import { decryptSplit, encryptArmored } from '../../crypto/split-message';
import { fetchJson, fromBase64, show } from './dom';
import { onLockedElsewhere, onUnlockedElsewhere, sessionKey } from './keyring';

type StoredNote =
  | { state: 'none' }
  | { state: 'not-for-you'; savedAt: string }
  | { state: 'ready'; savedAt: string; packet: string; body: string };

export async function startTransparencyNote(root: HTMLElement, email: string): Promise<void> {
  const period = root.dataset.period ?? '';
  const status = root.querySelector<HTMLElement>('[data-note-status]')!;
  const form = root.querySelector<HTMLFormElement>('form[data-note-form]')!;
  const textarea = form.querySelector<HTMLTextAreaElement>('textarea')!;
  const key = await sessionKey(email);
  if (!key) {
    status.textContent =
      'Your key is locked in this browser, so the section cannot be read or written here, and the Markdown download has the counts only. Unlock your key on the “My key” page (in any tab).';
    onUnlockedElsewhere(() => void startTransparencyNote(root, email));
    return;
  }
  onLockedElsewhere(() => {
    textarea.value = '';
    show(form, false);
    status.textContent = 'Locked: your key was locked in another tab. The Markdown download has the counts only.';
  });
  const base = `/api/dashboard/transparency`;
  const note = await fetchJson<StoredNote>(`${base}/notes/${encodeURIComponent(period)}`);
  status.textContent = await loadNote(note, key, textarea);
  show(form, true);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        status.textContent = 'Encrypting in this browser…';
        const { approvers } = await fetchJson<{ approvers: { publicKey: string }[] }>(`${base}/recipients`);
        const message = await encryptArmored({
          data: textarea.value,
          recipients: await readPublicKeys(approvers.map((a) => a.publicKey)),
        });
        await fetchJson(`${base}/notes/${encodeURIComponent(period)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'x-csrf-token': root.dataset.csrf ?? '' },
          body: JSON.stringify({ message }),
        });
        status.textContent = `Saved, encrypted to the ${approvers.length} current approvers.`;
      } catch (error) {
        status.textContent = `Not saved: ${(error as Error).message} Your text is still here.`;
      }
    })();
  });

  form.querySelector<HTMLButtonElement>('[data-note-download]')!.addEventListener('click', () => {
    void (async () => {
      try {
        const response = await fetch(`/dashboard/transparency/report.md?period=${encodeURIComponent(period)}`, {
          credentials: 'same-origin',
        });
        if (!response.ok) throw new Error(`The server answered ${response.status}.`);
        const counts = await response.text();
        const section = textarea.value.trim();
        const markdown = section ? `${counts.trimEnd()}\n\n## Incidents\n\n${section}\n` : counts;
        const link = document.createElement('a');
        link.href = URL.createObjectURL(new Blob([markdown], { type: 'text/markdown;charset=utf-8' }));
        link.download = `transparency-report-${period}.md`;
        document.body.append(link);
        link.click();
        link.remove();
        status.textContent = section
          ? 'Downloaded the Markdown with the section, made in this browser.'
          : 'Downloaded the Markdown: the section is empty, so it has the counts only.';
      } catch (error) {
        status.textContent = `Not downloaded: ${(error as Error).message}`;
      }
    })();
  });
}

/** Puts the saved section into the box; says what happened. */
async function loadNote(note: StoredNote, key: PrivateKey, textarea: HTMLTextAreaElement): Promise<string> {
  if (note.state === 'none') return 'No section saved for this period yet. Decrypted and encrypted in this browser.';
  const saved = note.savedAt.slice(0, 16).replace('T', ' ');
  if (note.state === 'not-for-you')
    return `A section was saved on ${saved} UTC, but not for your current key. An approver who can read it should save it again; saving here replaces it.`;
  try {
    const { data } = await decryptSplit({
      sessionKeyPacket: fromBase64(note.packet),
      body: fromBase64(note.body),
      decryptionKey: key,
    });
    textarea.value = data as string;
    return `Saved on ${saved} UTC; decrypted in this browser with your key.`;
  } catch {
    return `The section saved on ${saved} UTC could not be decrypted with the key unlocked in this browser.`;
  }
}
