// The reporter's follow-up page with JavaScript: the receipt never leaves this browser. Its hash
// finds the case; the receipt unlocks the reporter key here; replies are decrypted and answers
// encrypted here.
import { readKey, type PrivateKey, type PublicKey } from 'openpgp';
import { messageConfig } from '../../crypto/openpgp-config';
import { isWellFormedReceipt, receiptLookupHash } from '../../crypto/receipt';
import { unlockReporterKey } from '../../crypto/reporter-key';
import { armorMessage, decryptSplit, encryptMessage } from '../../crypto/split-message';
import { downloadLink, element, fetchJson, fromBase64, show, toHex } from './dom';

interface Followup {
  reference: string;
  status: string;
  lockedKey: string;
  messages: { id: string; role: string; createdAt: string; packet: string; body: string }[];
  recipients: string[];
}

const LABELS = new Map<string, string>([
  ['report', 'Your report'],
  ['attachment', 'Your attachment'],
  ['reply', 'Reply from the team'],
  ['reporter-reply', 'Your answer'],
]);
const NO_MATCH = 'No case matches this receipt. Check the words and try again.';

const form = document.querySelector<HTMLFormElement>('[data-followup-form]');
const view = document.querySelector<HTMLElement>('[data-followup-view]');
if (form && view) form.addEventListener('submit', (event) => void open(event, form, view));

async function open(event: SubmitEvent, form: HTMLFormElement, view: HTMLElement): Promise<void> {
  event.preventDefault();
  const status = form.querySelector<HTMLElement>('[data-status]')!;
  const receipt = form.querySelector<HTMLInputElement>('input[name=receipt]')!.value;
  try {
    if (!isWellFormedReceipt(receipt)) throw new Error(NO_MATCH);
    status.textContent = 'Looking for your case…';
    const lookup = toHex(await receiptLookupHash(receipt));
    // The server answers a receipt that matches nothing with NO_MATCH itself; its other answers (too
    // many attempts, unreachable) are shown as they are, not as a wrong receipt.
    const followup = await fetchJson<Followup>(`/api/followup/${lookup}`);
    status.textContent = 'Unlocking with your receipt, in this browser…';
    const key = await unlockReporterKey(followup.lockedKey, receipt).catch(() => {
      throw new Error(NO_MATCH);
    });
    await render(view, followup, key, lookup);
    status.textContent = '';
    show(form, false);
  } catch (error) {
    status.textContent = (error as Error).message;
  }
}

async function render(view: HTMLElement, followup: Followup, key: PrivateKey, lookup: string): Promise<void> {
  const list = element('ol', '', 'timeline');
  for (const m of followup.messages) {
    const item = element('li');
    item.append(element('p', `${LABELS.get(m.role) ?? m.role} · ${m.createdAt.slice(0, 16).replace('T', ' ')} UTC`, 'meta'));
    const binary = m.role === 'attachment';
    const { data, filename } = await decryptSplit({ sessionKeyPacket: fromBase64(m.packet), body: fromBase64(m.body), decryptionKey: key, binary });
    item.append(binary ? downloadLink(data as Uint8Array, filename, `Download ${filename || 'attachment'}`) : element('pre', data as string, 'content'));
    list.append(item);
  }
  const heading = element('h2', `Your report ${followup.reference}`);
  const state = element('p', 'Status: ');
  state.append(element('strong', followup.status));
  view.replaceChildren(heading, state, list, answerForm(followup, lookup, view, key));
  show(view, true);
  heading.tabIndex = -1;
  heading.focus();
}

function answerForm(followup: Followup, lookup: string, view: HTMLElement, key: PrivateKey): HTMLFormElement {
  const answer = document.createElement('form');
  const label = element('label', 'Answer the team');
  label.setAttribute('for', 'answer');
  const text = document.createElement('textarea');
  text.id = 'answer';
  text.rows = 6;
  text.required = true;
  const status = element('p', '', 'status');
  status.setAttribute('role', 'status');
  const send = element('button', 'Encrypt and send');
  send.setAttribute('type', 'submit');
  answer.append(label, text, status, send);
  answer.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      try {
        status.textContent = 'Encrypting in this browser…';
        const keys = await Promise.all(followup.recipients.map(async (armoredKey) => (await readKey({ armoredKey, config: messageConfig })) as PublicKey));
        const message = armorMessage(await encryptMessage({ data: text.value, recipients: keys }));
        await fetchJson(`/api/followup/${lookup}/replies`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message }) });
        await render(view, await fetchJson<Followup>(`/api/followup/${lookup}`), key, lookup);
      } catch (error) {
        status.textContent = `Not sent: ${(error as Error).message} Your text is still here.`;
      }
    })();
  });
  return answer;
}
