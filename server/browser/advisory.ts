// The advisory on a security case's page, in the reader's browser (issue 12 §1): the current draft
// is decrypted here and fills the form (before the first draft, the case's typed fields do); a
// saved draft is checked and encrypted here to the case's readers; the OSV and CSAF exports are
// made here from the decrypted draft and downloaded from a Blob. The server sees ciphertext only,
// and of an export only that it happened (its audit row).
import type { PrivateKey } from '../../crypto/keys';
import { decryptSplit } from '../../crypto/split-message';
import type { AdvisoryDraft } from '../disclosure/advisory-draft';
import {
  ADVISORY_FIELDS,
  draftFields,
  parseAdvisoryFields,
  prefilledFields,
  type AdvisoryFields,
  type CaseSeverityFields,
} from '../disclosure/advisory-form';
import { toCsaf } from '../disclosure/csaf-export';
import type { AdvisoryExportMeta } from '../disclosure/export-meta';
import { osvId, toOsv } from '../disclosure/osv-export';
import { encryptTo, recipientsOf } from './case-view';
import { fetchJson, fromBase64, show } from './dom';
import { onUnlockedElsewhere, sessionKey } from './keyring';

interface AdvisoryAnswer {
  draft: { id: string; savedAt: string; author: string | null; packet: string | null; body: string | null } | null;
  prefill: CaseSeverityFields;
  meta: Omit<AdvisoryExportMeta, 'savedAt'>;
}

const apiPath = (reference: string) => `/api/dashboard/cases/${encodeURIComponent(reference)}/advisory`;

export async function startAdvisory(root: HTMLElement, email: string, csrf: string): Promise<void> {
  const reference = root.dataset.reference ?? '';
  const status = root.querySelector<HTMLElement>('[data-advisory-status]')!;
  const form = root.querySelector<HTMLFormElement>('form[data-advisory-form]')!;
  const key = await sessionKey(email);
  if (!key) {
    status.textContent =
      'Your key is locked in this browser: unlock it on the "My key" page to read and write the advisory.';
    onUnlockedElsewhere(() => void startAdvisory(root, email, csrf));
    return;
  }
  const answer = await fetchJson<AdvisoryAnswer>(apiPath(reference));
  const saved = await decryptDraft(answer, key);
  if (answer.draft && !saved) status.textContent = 'The current draft is not encrypted to the key unlocked here.';
  else if (answer.draft)
    status.textContent = `Draft saved ${answer.draft.savedAt.slice(0, 16).replace('T', ' ')} UTC${answer.draft.author ? ` by ${answer.draft.author}` : ''}, decrypted in this browser.`;
  else status.textContent = 'No draft yet: the form starts from the case’s severity, CWE and date.';
  try {
    fill(form, saved ? draftFields(saved) : prefilledFields(answer.prefill));
  } catch {
    // A draft this version cannot read (made by a later one): start from the case, and say so.
    status.textContent = 'The current draft could not be read here: the form starts from the case’s fields.';
    fill(form, prefilledFields(answer.prefill));
  }
  show(form, true);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save(form, reference, csrf);
  });
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-export]')) {
    button.disabled = !saved;
    button.addEventListener('click', () => {
      if (!saved || !answer.draft) return;
      const format = button.dataset.export === 'csaf' ? 'csaf' : 'osv';
      void exportDraft(root, csrf, format, answer.draft.id, saved, { ...answer.meta, savedAt: answer.draft.savedAt });
    });
  }
}

async function decryptDraft(answer: AdvisoryAnswer, key: PrivateKey): Promise<AdvisoryDraft | null> {
  if (!answer.draft?.packet || !answer.draft.body) return null;
  try {
    const { data } = await decryptSplit({
      sessionKeyPacket: fromBase64(answer.draft.packet),
      body: fromBase64(answer.draft.body),
      decryptionKey: key,
    });
    return JSON.parse(data as string) as AdvisoryDraft;
  } catch {
    return null;
  }
}

const fieldOf = (form: HTMLFormElement, name: string) =>
  form.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)!;

function fill(form: HTMLFormElement, fields: AdvisoryFields): void {
  for (const name of ADVISORY_FIELDS) fieldOf(form, name).value = fields[name];
}

function read(form: HTMLFormElement): AdvisoryFields {
  const fields = Object.create(null) as AdvisoryFields;
  for (const name of ADVISORY_FIELDS) fields[name] = fieldOf(form, name).value;
  return fields;
}

/** Each problem beside its field, the field marked invalid; the text stays as typed. */
function showProblems(form: HTMLFormElement, problems: Map<string, string>): void {
  for (const name of ADVISORY_FIELDS) {
    const slot = form.querySelector<HTMLElement>(`[data-problem-for="${name}"]`)!;
    const field = fieldOf(form, name);
    const problem = problems.get(name);
    slot.textContent = problem ? `Not saved: ${problem}` : '';
    show(slot, Boolean(problem));
    if (problem) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
  }
  const first = ADVISORY_FIELDS.find((name) => problems.has(name));
  if (first) fieldOf(form, first).focus();
}

async function save(form: HTMLFormElement, reference: string, csrf: string): Promise<void> {
  const status = form.querySelector<HTMLElement>('[data-advisory-form-status]')!;
  const { draft, problems } = parseAdvisoryFields(read(form));
  showProblems(form, problems);
  if (problems.size > 0) {
    status.textContent = `Not saved: ${problems.size} field${problems.size === 1 ? ' needs' : 's need'} a change. Your text is still here.`;
    return;
  }
  try {
    status.textContent = 'Encrypting the draft in this browser…';
    const message = await encryptTo(await recipientsOf(reference, 'comment'), JSON.stringify(draft, null, 2));
    await fetchJson(apiPath(reference), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ message }),
    });
    status.textContent = 'Saved.';
    window.location.reload();
  } catch (error) {
    status.textContent = `Not saved: ${(error as Error).message} Your text is still here.`;
  }
}

/** Records the export (format only), then downloads the file made here from the decrypted draft. */
async function exportDraft(
  root: HTMLElement,
  csrf: string,
  format: 'osv' | 'csaf',
  draftId: string,
  draft: AdvisoryDraft,
  meta: AdvisoryExportMeta,
): Promise<void> {
  const status = root.querySelector<HTMLElement>('[data-export-status]')!;
  try {
    const document_ = format === 'osv' ? toOsv(draft, meta) : toCsaf(draft, meta);
    await fetchJson(`${apiPath(meta.reference)}/exports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ format, draftId }),
    });
    const name = format === 'osv' ? `${osvId(meta)}.json` : `${meta.reference.toLowerCase()}.csaf.json`;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' }));
    link.download = name;
    link.hidden = true;
    root.append(link);
    link.click();
    link.remove();
    status.textContent = `Exported ${name} (made in this browser from the saved draft).`;
  } catch (error) {
    status.textContent = `Not exported: ${(error as Error).message}`;
  }
}
