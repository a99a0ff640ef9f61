// The reporter's follow-up page with JavaScript (loaded by followup-page-entry.ts): the receipt
// never leaves this browser. Its hash finds the case; the receipt unlocks the reporter key here;
// replies are decrypted and answers encrypted here. Where that cannot happen here (no WebAssembly
// for a key locked with Argon2, a step that hangs), it throws CannotWorkHereError first.
import { readPublicKeys, type PrivateKey } from '../../crypto/keys';
import { isWellFormedReceipt, receiptLookupHash } from '../../crypto/receipt';
import { isLockedWithArgon2, unlockReporterKey } from '../../crypto/reporter-key';
import { DecryptionError } from '../../crypto/errors';
import type { RuntimeSupport } from '../../crypto/runtime-support';
import { decryptSplit, encryptArmored } from '../../crypto/split-message';
import { FOLLOWUP_LABELS } from '../intake/report-form';
import { downloadLink, element, fetchJson, fromBase64, show, toHex } from './dom';
import { CannotWorkHereError, inTime } from './hand-over';

interface Followup {
  reference: string;
  status: string;
  /** null once the content was deleted (retention); then `contentDeleted` says so. */
  lockedKey: string | null;
  contentDeleted: string | null;
  messages: { id: string; role: string; createdAt: string; packet: string; body: string }[];
  recipients: string[];
}

const NO_MATCH = 'No case matches this receipt. Check the words and try again.';
const NO_ARGON2 =
  'Your key is locked with Argon2, which runs in WebAssembly, and this browser has WebAssembly switched off (as Tor Browser does at its “Safer” level).';
/** How long unlocking may take before the page offers the server's path; decrypting the case gets RENDER_MS. */
const STEP_MS = 20_000;
const RENDER_MS = 60_000;

/**
 * Finds the case by the receipt's hash, unlocks the reporter key here and shows the case. Throws
 * CannotWorkHereError, before the receipt has left this browser, where the server's path must take over.
 */
export async function openCase(form: HTMLFormElement, view: HTMLElement, support: RuntimeSupport): Promise<void> {
  const status = form.querySelector<HTMLElement>('[data-status]')!;
  const receipt = form.querySelector<HTMLInputElement>('input[name=receipt]')!.value;
  try {
    if (!isWellFormedReceipt(receipt)) throw new Error(NO_MATCH);
    status.textContent = 'Looking for your case…';
    const lookup = toHex(await inTime(receiptLookupHash(receipt), STEP_MS, 'Finding your case'));
    // The server answers a receipt that matches nothing with NO_MATCH itself; its other answers (too
    // many attempts, unreachable) are shown as they are, not as a wrong receipt.
    const followup = await fetchJson<Followup>(`/api/followup/${lookup}`);
    if (followup.lockedKey === null) {
      renderDeleted(view, followup);
      status.textContent = '';
      show(form, false);
      return;
    }
    const lockedKey = followup.lockedKey;
    if (!support.argon2 && (await isLockedWithArgon2(lockedKey))) throw new CannotWorkHereError(NO_ARGON2);
    status.textContent = 'Unlocking with your receipt, in this browser…';
    const key = await inTime(unlockReporterKey(lockedKey, receipt), STEP_MS, 'Unlocking your case').catch(
      (error: CannotWorkHereError) => {
        throw error.cause instanceof DecryptionError ? new Error(NO_MATCH) : error;
      },
    );
    await inTime(render(view, followup, key, lookup), RENDER_MS, 'Decrypting your case');
    status.textContent = '';
    show(form, false);
  } catch (error) {
    if (!(error instanceof CannotWorkHereError)) status.textContent = (error as Error).message;
    else throw error;
  }
}

/** Nothing left to decrypt: the reference, the status and the notice. */
function renderDeleted(view: HTMLElement, followup: Followup): void {
  const heading = element('h2', `Your report ${followup.reference}`);
  const state = element('p', 'Status: ');
  state.append(element('strong', followup.status));
  const notice = element('p', followup.contentDeleted ?? '', 'notice');
  notice.dataset.contentDeleted = '';
  view.replaceChildren(heading, state, notice);
  show(view, true);
  heading.tabIndex = -1;
  heading.focus();
}

async function render(view: HTMLElement, followup: Followup, key: PrivateKey, lookup: string): Promise<void> {
  const list = element('ol', '', 'timeline');
  for (const m of followup.messages) {
    const item = element('li');
    item.append(
      element('p', `${FOLLOWUP_LABELS[m.role] ?? m.role} · ${m.createdAt.slice(0, 16).replace('T', ' ')} UTC`, 'meta'),
    );
    const binary = m.role === 'attachment';
    const { data, filename } = await decryptSplit({
      sessionKeyPacket: fromBase64(m.packet),
      body: fromBase64(m.body),
      decryptionKey: key,
      binary,
    });
    item.append(
      binary
        ? downloadLink(data as Uint8Array, filename, `Download ${filename || 'attachment'}`)
        : element('pre', data as string, 'content'),
    );
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
  const label = element('label', 'Write to the team');
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
        const encrypted = readPublicKeys(followup.recipients).then((recipients) =>
          encryptArmored({ data: text.value, recipients }),
        );
        const message = await inTime(encrypted, STEP_MS, 'Encrypting your answer');
        await fetchJson(`/api/followup/${lookup}/replies`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ message }),
        });
        await render(view, await fetchJson<Followup>(`/api/followup/${lookup}`), key, lookup);
      } catch (error) {
        status.textContent = `Not sent: ${(error as Error).message} Your text is still here.`;
      }
    })();
  });
  return answer;
}
