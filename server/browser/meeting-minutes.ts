// The minutes of a closed meeting, written in the member's browser: encrypted here to the case's
// readers (the same recipients as a note) and posted as ciphertext, linked to the meeting. Needs no
// private key; the text stays in the form when anything fails.
import { encryptTo, recipientsOf } from './case-view';
import { fetchJson, show } from './dom';

export function startMeetingMinutes(root: HTMLElement): void {
  const reference = root.dataset.reference ?? '';
  const csrf = root.dataset.csrf ?? '';
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-meeting-minutes]')) {
    const meetingId = form.dataset.meetingMinutes ?? '';
    const status = form.querySelector<HTMLElement>('[data-minutes-status]')!;
    const textarea = form.querySelector<HTMLTextAreaElement>('textarea')!;
    show(form, true);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = textarea.value;
      if (text.trim() === '') return;
      void (async () => {
        try {
          status.textContent = 'Encrypting in this browser…';
          const message = await encryptTo(await recipientsOf(reference, 'comment'), text);
          await fetchJson(
            `/api/dashboard/cases/${encodeURIComponent(reference)}/meetings/${encodeURIComponent(meetingId)}/minutes`,
            {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', 'x-csrf-token': csrf },
              body: JSON.stringify({ message }),
            },
          );
          status.textContent = 'Added.';
          window.location.reload();
        } catch (error) {
          status.textContent = `Not added: ${(error as Error).message} Your text is still here.`;
        }
      })();
    });
  }
}
