// The report page's script: encrypts the report in the reporter's browser, so that the request
// carries only ciphertext. Without it, the same form posts to the server, which encrypts on arrival.
import { readKey, type PublicKey } from 'openpgp';
import { armorMessage, encryptMessage } from '../../crypto/split-message';
import { generateReceipt, receiptLookupHash } from '../../crypto/receipt';
import { createReporterKey } from '../../crypto/reporter-key';
import { messageConfig } from '../../crypto/openpgp-config';
import { composeReportDocument, describeSize, isReportKind, pickReportFields, reportFieldProblems } from '../report-form';
import { CONFIRMATION_TEMPLATE, showConfirmation, showProblems, setStatus } from './report-page-view';
import type { CaseKind } from '../../db/database';
import { fetchJson, ServerUnreachableError, toHex } from './dom';

const form = document.querySelector<HTMLFormElement>('form[data-report-form]');
// Without its confirmation template (an old cached page) the form posts as it does without script.
if (form && document.querySelector(CONFIRMATION_TEMPLATE)) form.addEventListener('submit', (event) => void submitEncrypted(event, form));

/**
 * The last report encrypted on this page. When sending it failed on the way (a dropped connection
 * may still have delivered it), sending the same text again resends the same request, so that the
 * server's idempotency check answers with the case it stored and this receipt stays the valid one.
 */
let prepared: { contents: string; body: string; receipt: string } | undefined;

async function submitEncrypted(event: SubmitEvent, form: HTMLFormElement): Promise<void> {
  event.preventDefault();
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
  const kind = form.dataset.kind;
  if (!isReportKind(kind)) return;
  const data = new FormData(form);
  const values = pickReportFields(kind, Object.fromEntries([...data.keys()].map((k) => [k, data.getAll(k).filter((v) => typeof v === 'string')])));
  const involved = data.getAll('involved').map(String);
  const files = data.getAll('attachments').filter((f): f is File => f instanceof File && f.size > 0);

  const problems = [...reportFieldProblems(kind, values), ...attachmentProblems(form, files)];
  if (problems.length > 0) return showProblems(form, problems);

  if (button) button.disabled = true;
  try {
    const contents = JSON.stringify([values, involved, files.map((f) => [f.name, f.size, f.lastModified])]);
    if (prepared?.contents !== contents) prepared = { contents, ...(await encryptReport(form, kind, values, involved, files)) };
    setStatus(form, 'Sending the encrypted report…');
    const submitted = await fetchJson<{ reference: string }>('/api/reports', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: prepared.body,
    });
    showConfirmation(form, submitted.reference, prepared.receipt);
  } catch (error) {
    // An answer from the server means it did not store this request: the next attempt starts afresh.
    if (!(error instanceof ServerUnreachableError)) prepared = undefined;
    showProblems(form, [(error as Error).message || 'Your report could not be encrypted or sent. Nothing was stored; please try again.']);
  } finally {
    if (button) button.disabled = false;
  }
}

/** Fetches the routed readers' keys, makes the receipt and the reporter key, and encrypts everything here. */
async function encryptReport(
  form: HTMLFormElement,
  kind: CaseKind,
  values: Record<string, string>,
  involved: string[],
  files: File[],
): Promise<{ body: string; receipt: string }> {
  setStatus(form, 'Fetching the recipients’ public keys…');
  const query = new URLSearchParams([['kind', kind], ...involved.map((id) => ['involved', id])]);
  const recipients = await fetchJson<{ recipients: { publicKey: string }[] }>(`/api/recipients?${query}`);
  const keys: PublicKey[] = await Promise.all(
    recipients.recipients.map(async (r) => (await readKey({ armoredKey: r.publicKey, config: messageConfig })) as PublicKey),
  );

  setStatus(form, 'Making your receipt and encrypting your report in this browser…');
  const receipt = generateReceipt();
  const reporterKey = await createReporterKey(receipt);
  keys.push((await readKey({ armoredKey: reporterKey.publicKey, config: messageConfig })) as PublicKey);
  const involvedNames = involved.map((id) => form.querySelector(`label[for="${form.querySelector(`input[value="${CSS.escape(id)}"]`)?.id}"]`)?.textContent ?? '');
  const report = armorMessage(await encryptMessage({ data: composeReportDocument(kind, values, involvedNames), recipients: keys }));
  const attachments: string[] = [];
  for (const file of files) {
    attachments.push(armorMessage(await encryptMessage({ data: new Uint8Array(await file.arrayBuffer()), filename: file.name, recipients: keys })));
  }
  const lookup = toHex(await receiptLookupHash(receipt));
  const body = JSON.stringify({
    kind,
    involved,
    reporter: { publicKey: reporterKey.publicKey, lockedPrivateKey: reporterKey.lockedPrivateKey, receiptLookup: lookup },
    report,
    attachments,
    // One case per form, however often this request reaches the server.
    submissionToken: form.querySelector<HTMLInputElement>('input[name=submission]')?.value || undefined,
  });
  return { body, receipt };
}

function attachmentProblems(form: HTMLFormElement, files: File[]): string[] {
  const maxBytes = Number(form.dataset.maxAttachmentBytes);
  const maxCount = Number(form.dataset.maxAttachments);
  const problems: string[] = [];
  if (files.length > maxCount) problems.push(`At most ${maxCount} files can be attached.`);
  for (const file of files) {
    if (file.size > maxBytes) problems.push(`The file "${file.name}" is larger than ${describeSize(maxBytes)}. Attach a smaller file or leave it out.`);
  }
  return problems;
}
