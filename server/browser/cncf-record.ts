// The CNCF central record on the case page (issue 11 §4): a notice is encrypted here to the CNCF CoC
// Committee's key alone (the server checks it is) and only its ciphertext is posted; a legal
// consultation's note is encrypted here to the case's readers, like a comment.
import { readPublicKey, readPublicKeys } from '../../crypto/keys';
import { encryptArmored } from '../../crypto/split-message';
import { fetchJson, show } from './dom';
import { plainTextEntity } from '../../crypto/pgp-mime-entity';

interface CommitteeRecipient {
  reference: string;
  email: string;
  fingerprint: string;
  publicKey: string;
}

const STAGE_SUBJECT: Record<string, string> = { incident: 'incident notice', resolution: 'resolution notice' };

/** Encrypts a notice to the committee's key: what the page posts, and what a test can make the same way. */
export async function encryptNotice(recipient: CommitteeRecipient, stage: string, text: string): Promise<string> {
  const subject = `Code of Conduct case ${recipient.reference}: ${STAGE_SUBJECT[stage] ?? 'notice'} for the CNCF central record`;
  return encryptArmored({
    data: plainTextEntity(text, subject),
    recipients: [await readPublicKey(recipient.publicKey)],
  });
}

export function startCncfRecord(root: HTMLElement): void {
  const reference = root.dataset.reference ?? '';
  const base = `/api/dashboard/cases/${encodeURIComponent(reference)}`;
  const headers = { 'Content-Type': 'application/json', 'x-csrf-token': root.dataset.csrf ?? '' };

  for (const form of root.querySelectorAll<HTMLFormElement>('form[data-cncf-notice-form]')) {
    const stage = form.dataset.cncfNoticeForm ?? '';
    const status = form.querySelector<HTMLElement>('[data-cncf-status]')!;
    const textarea = form.querySelector<HTMLTextAreaElement>('textarea')!;
    show(form, true);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (textarea.value.trim() === '') return;
      void (async () => {
        try {
          status.textContent = 'Encrypting in this browser to the committee’s key…';
          const recipient = await fetchJson<CommitteeRecipient>(`${base}/cncf/committee-key`);
          const message = await encryptNotice(recipient, stage, textarea.value.trim());
          await fetchJson(`${base}/cncf/notices`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ stage, message }),
          });
          status.textContent = `Sent to ${recipient.email}.`;
          window.location.reload();
        } catch (error) {
          status.textContent = `Not sent: ${(error as Error).message} Your text is still here.`;
        }
      })();
    });
  }

  const legal = root.querySelector<HTMLFormElement>('form[data-legal-form]');
  if (legal) {
    const status = legal.querySelector<HTMLElement>('[data-legal-status]')!;
    const note = legal.querySelector<HTMLTextAreaElement>('#legal-note')!;
    legal.addEventListener('submit', (event) => {
      event.preventDefault();
      const fields = new FormData(legal);
      void (async () => {
        try {
          let noteMessage = '';
          if (note.value.trim() !== '') {
            status.textContent = 'Encrypting the note in this browser…';
            const readers = await fetchJson<{ readers: { publicKey: string }[] }>(`${base}/recipients?role=comment`);
            noteMessage = await encryptArmored({
              data: note.value.trim(),
              recipients: await readPublicKeys(readers.readers.map((r) => r.publicKey)),
            });
          }
          await fetchJson(`${base}/cncf/legal-consultations`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              consultedOn: String(fields.get('consultedOn') ?? ''),
              counsel: String(fields.get('counsel') ?? ''),
              noteMessage,
            }),
          });
          status.textContent = 'Recorded.';
          window.location.reload();
        } catch (error) {
          status.textContent = `Not recorded: ${(error as Error).message} What you typed is still here.`;
        }
      })();
    });
  }
}
