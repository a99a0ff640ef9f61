// Submits a whole report over HTTP the two ways a client can, as a reporter's browser does it: the
// no-JavaScript form (form-client.ts), and the JSON API after fetching the routed recipients' keys
// and encrypting on the client (encrypted-payload.ts).
import type { Argon2Cost } from '../../crypto/openpgp-config';
import type { CaseKind } from '../../db/database';
import { buildEncryptedPayload, postJson } from './encrypted-payload';
import { confirmationOf, openReportForm, postReportForm } from './form-client';

export interface SubmittedReport {
  reference: string;
  receipt: string;
}

export interface ReportContent {
  kind: CaseKind;
  fields: Record<string, string>;
  attachments: { filename: string; data: Buffer }[];
  /** Member ids of approvers the reporter marks as involved (Code of Conduct only). */
  involved?: string[];
}

/** GETs the form (CSRF cookie and hidden field) and posts it back multipart; fails unless it is confirmed. */
export async function submitThroughForm(baseUrl: string, content: ReportContent): Promise<SubmittedReport> {
  const session = await openReportForm(baseUrl, content.kind);
  const { status, html } = await postReportForm(
    baseUrl,
    session,
    { kind: content.kind, _csrf: session.csrf, ...content.fields, involved: content.involved ?? [] },
    content.attachments.map((file) => ({ name: file.filename, data: file.data })),
  );
  const confirmed = confirmationOf(html);
  if (status !== 303 || !confirmed) throw new Error(`The form was refused (${status}):\n${html}`);
  return confirmed;
}

/** Fetches the recipients' keys for this report, encrypts `document` and the attachments here, POSTs only ciphertext. */
export async function submitThroughApi(
  baseUrl: string,
  content: ReportContent & { document: string; reporterKeyCost?: Argon2Cost },
): Promise<SubmittedReport> {
  const query = new URLSearchParams([
    ['kind', content.kind],
    ...(content.involved ?? []).map((id) => ['involved', id]),
  ]);
  const response = await fetch(`${baseUrl}/api/recipients?${query}`);
  if (!response.ok) throw new Error(`GET /api/recipients answered ${response.status}`);
  const { recipients } = (await response.json()) as { recipients: { publicKey: string }[] };

  const payload = await buildEncryptedPayload({
    kind: content.kind,
    recipientKeys: recipients.map((r) => r.publicKey),
    text: content.document,
    involved: content.involved,
    attachments: content.attachments.map((file) => new Uint8Array(file.data)),
    reporterKeyCost: content.reporterKeyCost,
  });
  const { status, json } = await postJson(`${baseUrl}/api/reports`, payload.body);
  if (status !== 201 || typeof json.reference !== 'string')
    throw new Error(`The API refused the report (${status}): ${JSON.stringify(json)}`);
  return { reference: json.reference, receipt: payload.receipt };
}
