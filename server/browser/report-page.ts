// The report page's encryption, loaded by report-page-entry.ts: encrypts the report in the
// reporter's browser, so that the request carries only ciphertext. Without it, the same form posts
// to the server, which encrypts on arrival; a browser that cannot encrypt here is told so and hands
// the form to that path (hand-over.ts).
import { readPublicKey, readPublicKeys } from '../../crypto/keys';
import { encryptArmored } from '../../crypto/split-message';
import { generateReceipt, receiptLookupHash } from '../../crypto/receipt';
import { createReporterKey, type ReporterKey } from '../../crypto/reporter-key';
import {
  composeReportDocument,
  describeSize,
  isReportKind,
  pickReportFields,
  reportFieldProblems,
} from '../intake/report-form';
import type { CaseKind } from '../../db/database';
import { KIND_WORDS } from '../cases/case-words';
import { showConfirmation, showProblems, setStatus } from './report-page-view';
import { CannotWorkHereError, handOverToServer, inTime } from './hand-over';
import { fetchJson, ServerUnreachableError, toHex } from './dom';

/** How long a step of the encryption may take before the page offers the server's path. */
const STEP_MS = 20_000;
/** Argon2 gets less: past it, the key is locked with the S2K that needs no WebAssembly. */
const ARGON2_MS = 10_000;
/** An attachment gets STEP_MS plus this per MiB: a browser without JIT encrypts a few MiB a second. */
const MS_PER_MIB = 5_000;

/**
 * The last report encrypted on this page. When sending it failed on the way (a dropped connection
 * may still have delivered it), sending the same text again resends the same request, so that the
 * server's idempotency check answers with the case it stored and this receipt stays the valid one.
 */
let prepared: { contents: string; body: string; receipt: string } | undefined;

interface Sealed {
  reporterKey: ReporterKey;
  receipt: string;
  lookup: string;
  report: string;
  attachments: string[];
}

/** Checks, encrypts and sends the form; `argon2` says whether this browser can lock the key with it. */
export async function submitEncrypted(form: HTMLFormElement, argon2: boolean, script: AbortController): Promise<void> {
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
  const kind = form.dataset.kind;
  if (!isReportKind(kind)) return;
  const data = new FormData(form);
  const values = pickReportFields(
    kind,
    Object.fromEntries([...data.keys()].map((k) => [k, data.getAll(k).filter((v) => typeof v === 'string')])),
  );
  const involved = data.getAll('involved').map(String);
  const files = data.getAll('attachments').filter((f): f is File => f instanceof File && f.size > 0);

  const problems = [...reportFieldProblems(kind, values), ...attachmentProblems(form, files)];
  if (problems.length > 0) return showProblems(form, problems);

  if (button) button.disabled = true;
  try {
    const contents = JSON.stringify([values, involved, files.map((f) => [f.name, f.size, f.lastModified])]);
    if (prepared?.contents !== contents)
      prepared = { contents, ...(await encryptReport(form, kind, values, involved, files, argon2)) };
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
    // Nothing was sent: the encryption failed or hung before the request. Offer the server's path.
    if (error instanceof CannotWorkHereError && handOverToServer(form, error.message, script)) return;
    showProblems(form, [
      (error as Error).message || 'Your report could not be encrypted or sent. Nothing was stored; please try again.',
    ]);
  } finally {
    if (button) button.disabled = false;
  }
}

/** Fetches the routed readers' keys and encrypts everything the request carries here; each step bounded in time (inTime). */
async function encryptReport(
  form: HTMLFormElement,
  kind: CaseKind,
  values: Record<string, string>,
  involved: string[],
  files: File[],
  argon2: boolean,
): Promise<{ body: string; receipt: string }> {
  setStatus(form, 'Fetching the recipients’ public keys…');
  const query = new URLSearchParams([['kind', kind], ...involved.map((id) => ['involved', id])]);
  const recipients = await fetchJson<{ recipients: { publicKey: string }[] }>(`/api/recipients?${query}`);

  setStatus(form, 'Making your receipt and encrypting your report in this browser…');
  const involvedNames = involved.map(
    (id) =>
      form.querySelector(`label[for="${form.querySelector(`input[value="${CSS.escape(id)}"]`)?.id}"]`)?.textContent ??
      '',
  );
  const text = composeReportDocument(kind, values, involvedNames);
  const sealed = await seal(
    kind,
    text,
    files,
    recipients.recipients.map((r) => r.publicKey),
    argon2,
  );
  const body = JSON.stringify({
    kind,
    involved,
    reporter: {
      publicKey: sealed.reporterKey.publicKey,
      lockedPrivateKey: sealed.reporterKey.lockedPrivateKey,
      receiptLookup: sealed.lookup,
    },
    report: sealed.report,
    attachments: sealed.attachments,
    // One case per form, however often this request reaches the server.
    submissionToken: form.querySelector<HTMLInputElement>('input[name=submission]')?.value || undefined,
  });
  return { body, receipt: sealed.receipt };
}

/** Everything the request carries, encrypted here; each step bounded in time (inTime). */
async function seal(
  kind: CaseKind,
  text: string,
  files: File[],
  armoredKeys: string[],
  argon2: boolean,
): Promise<Sealed> {
  const keys = await inTime(readPublicKeys(armoredKeys), STEP_MS, 'Reading the recipients’ keys');
  const receipt = generateReceipt();
  const reporterKey = await makeReporterKey(receipt, argon2);
  keys.push(await inTime(readPublicKey(reporterKey.publicKey), STEP_MS, 'Reading your key'));
  const what = `Encrypting your ${KIND_WORDS[kind].report}`;
  const report = await inTime(encryptArmored({ data: text, recipients: keys }), STEP_MS, what);
  const attachments: string[] = [];
  for (const file of files) {
    const encrypted = file
      .arrayBuffer()
      .then((bytes) => encryptArmored({ data: new Uint8Array(bytes), filename: file.name, recipients: keys }));
    attachments.push(
      await inTime(encrypted, STEP_MS + (MS_PER_MIB * file.size) / 2 ** 20, `Encrypting the file "${file.name}"`),
    );
  }
  const lookup = toHex(await inTime(receiptLookupHash(receipt), STEP_MS, 'Making your receipt'));
  return { reporterKey, receipt, lookup, report, attachments };
}

/**
 * The reporter key, locked with Argon2 where this browser runs it, else with the iterated S2K the
 * server's own paths use: the receipt's 88 random bits, not the S2K's cost, are what protect it.
 */
async function makeReporterKey(receipt: string, argon2: boolean): Promise<ReporterKey> {
  if (argon2) {
    try {
      return await inTime(createReporterKey(receipt), ARGON2_MS, 'Locking your key with Argon2');
    } catch {
      // Argon2 failed (no memory for it) or hung: the lock below needs no WebAssembly.
    }
  }
  return inTime(createReporterKey(receipt, 'fast'), STEP_MS, 'Making your key');
}

function attachmentProblems(form: HTMLFormElement, files: File[]): string[] {
  const maxBytes = Number(form.dataset.maxAttachmentBytes);
  const maxCount = Number(form.dataset.maxAttachments);
  const problems: string[] = [];
  if (files.length > maxCount) problems.push(`At most ${maxCount} files can be attached.`);
  for (const file of files) {
    if (file.size > maxBytes)
      problems.push(
        `The file "${file.name}" is larger than ${describeSize(maxBytes)}. Attach a smaller file or leave it out.`,
      );
  }
  return problems;
}
