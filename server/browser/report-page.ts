// The report page's script: encrypts the report in the reporter's browser, so that the request
// carries only ciphertext. Without it, the same form posts to the server, which encrypts on arrival.
import { readKey, type PublicKey } from 'openpgp';
import { armorMessage, encryptMessage } from '../../crypto/split-message';
import { generateReceipt, receiptLookupHash } from '../../crypto/receipt';
import { createReporterKey } from '../../crypto/reporter-key';
import { messageConfig } from '../../crypto/openpgp-config';
import { composeReportDocument, describeSize, isReportKind, pickReportFields, reportFieldProblems } from '../report-form';
import { showConfirmation, showProblems, setStatus } from './report-page-view';
import { fetchJson, toHex } from './dom';

const form = document.querySelector<HTMLFormElement>('form[data-report-form]');
if (form) form.addEventListener('submit', (event) => void submitEncrypted(event, form));

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

    setStatus(form, 'Sending the encrypted report…');
    const submitted = await fetchJson<{ reference: string }>('/api/reports', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        kind,
        involved,
        reporter: { publicKey: reporterKey.publicKey, lockedPrivateKey: reporterKey.lockedPrivateKey, receiptLookup: lookup },
        report,
        attachments,
      }),
    });
    showConfirmation(form, kind, submitted.reference, receipt);
  } catch (error) {
    showProblems(form, [(error as Error).message || 'Your report could not be encrypted or sent. Nothing was stored; please try again.']);
  } finally {
    if (button) button.disabled = false;
  }
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
