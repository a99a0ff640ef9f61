// The case page's embargo section in the browser: sending the advisory to the distributors (the
// current advisory draft decrypted here, written as plain text and encrypted here to each
// distributor's key, one message each) and recording an embargo leak (what leaked, encrypted here
// to the case's readers like a comment). The server gets ciphertext only.
import { readPublicKey, type PrivateKey } from '../../crypto/keys';
import { decryptSplit, encryptArmored } from '../../crypto/split-message';
import type { AdvisoryDraft } from '../disclosure/advisory-draft';
import { plainTextEntity } from '../../crypto/pgp-mime-entity';
import { advisoryText, distributorSubject, releaseNoticeText } from '../disclosure/advisory-text';
import { encryptTo, recipientsOf } from './case-view';
import { fetchJson, fromBase64, show } from './dom';
import { sessionKey } from './keyring';

interface DistributorRecipients {
  plannedOn: string | null;
  distributors: {
    id: string;
    organisation: string;
    fingerprint: string;
    publicKey: string;
    sent: { advance: boolean; release: boolean };
  }[];
}

interface StoredMessage {
  role: string;
  packet: string | null;
  body: string | null;
}

export function startEmbargoSection(root: HTMLElement, email: string): void {
  const reference = root.dataset.reference ?? '';
  const base = `/api/dashboard/cases/${encodeURIComponent(reference)}`;
  const headers = { 'Content-Type': 'application/json', 'x-csrf-token': root.dataset.csrf ?? '' };
  const project = root.dataset.projectName ?? '';

  for (const form of root.querySelectorAll<HTMLFormElement>('form[data-distributor-send]')) {
    const kind = form.dataset.distributorSend === 'release' ? 'release' : 'advance';
    const status = form.querySelector<HTMLElement>('[data-send-status]')!;
    show(form, true);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        try {
          const key = await unlockedKey(email);
          const to = await fetchJson<DistributorRecipients>(`${base}/distributors`);
          if (!to.plannedOn) throw new Error('Set the embargo date first.');
          if (to.distributors.length === 0) throw new Error('No distributor has accepted the embargo policy.');
          // Each distributor gets what it lacks: the advisory once, the release notice once after it.
          const due = to.distributors.filter((d) => !d.sent[kind] && (kind === 'advance' || d.sent.advance));
          if (due.length === 0)
            throw new Error(
              kind === 'advance'
                ? 'Every distributor has the advisory for this date already.'
                : 'Every distributor that has the advisory has the release notice already.',
            );
          status.textContent = 'Encrypting in this browser…';
          const context = { projectName: project, reference, plannedOn: to.plannedOn };
          const text =
            kind === 'advance' ? advisoryText(await currentDraft(base, key), context) : releaseNoticeText(context);
          const entity = plainTextEntity(text, distributorSubject(project, kind, reference, to.plannedOn));
          const messages = [];
          for (const d of due)
            messages.push({
              distributorId: d.id,
              message: await encryptArmored({ data: entity, recipients: [await readPublicKey(d.publicKey)] }),
            });
          const { sent } = await fetchJson<{ sent: number }>(`${base}/distributor-sendings`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ kind, plannedOn: to.plannedOn, messages }),
          });
          status.textContent = `Sent to ${sent} distributor${sent === 1 ? '' : 's'}; the mail queue delivers it.`;
          window.location.reload();
        } catch (error) {
          status.textContent = `Not sent: ${(error as Error).message}`;
        }
      })();
    });
  }

  const leak = root.querySelector<HTMLFormElement>('form[data-leak-form]');
  if (leak) startLeakForm(leak, reference, base, headers);
}

async function unlockedKey(email: string): Promise<PrivateKey> {
  const key = await sessionKey(email);
  if (!key) throw new Error('Your key is locked in this browser. Unlock it on the "My key" page, then try again.');
  return key;
}

/** The newest advisory draft of the case, decrypted here with the reader's key. */
async function currentDraft(base: string, key: PrivateKey): Promise<AdvisoryDraft> {
  const { messages } = await fetchJson<{ messages: StoredMessage[] }>(`${base}/messages`);
  const draft = messages.filter((m) => m.role === 'advisory-draft' && m.packet && m.body).at(-1);
  if (!draft) throw new Error('This case has no advisory draft yet: write the advisory first.');
  const { data } = await decryptSplit({
    sessionKeyPacket: fromBase64(draft.packet!),
    body: fromBase64(draft.body!),
    decryptionKey: key,
  });
  const parsed = JSON.parse(data as string) as AdvisoryDraft;
  if (typeof parsed?.summary !== 'string') throw new Error('The advisory draft could not be read.');
  return parsed;
}

function startLeakForm(form: HTMLFormElement, reference: string, base: string, headers: Record<string, string>): void {
  show(form, true);
  const status = form.querySelector<HTMLElement>('[data-leak-status]')!;
  const textarea = form.querySelector<HTMLTextAreaElement>('textarea')!;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (text === '') return;
    void (async () => {
      try {
        status.textContent = 'Encrypting in this browser…';
        const message = await encryptTo(await recipientsOf(reference, 'comment'), text);
        await fetchJson(`${base}/embargo-leaks`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            distributorId: form.querySelector<HTMLSelectElement>('select')!.value,
            leakedOn: form.querySelector<HTMLInputElement>('input[name="leakedOn"]')!.value,
            message,
          }),
        });
        window.location.reload();
      } catch (error) {
        status.textContent = `Not recorded: ${(error as Error).message} Your text is still here.`;
      }
    })();
  });
}
