// A client of the no-JavaScript report form: fetches the page (CSRF cookie and hidden field), posts it back.
import { REFERENCE_PATTERN } from '../../server/case-reference';

export interface FormSession {
  cookie: string;
  csrf: string;
  html: string;
}

export async function openReportForm(baseUrl: string, kind: string): Promise<FormSession> {
  const response = await fetch(`${baseUrl}/report?kind=${kind}`);
  const html = await response.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = (response.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  if (!csrf || !cookie) throw new Error(`The form page gave no CSRF token (status ${response.status})`);
  return { cookie, csrf, html };
}

export async function postReportForm(
  baseUrl: string,
  session: Pick<FormSession, 'cookie'> | null,
  fields: Record<string, string | string[]>,
  files: { name: string; data: Uint8Array }[] = [],
): Promise<{ status: number; html: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  for (const file of files) form.append('attachments', new Blob([Buffer.from(file.data)]), file.name);
  const response = await fetch(`${baseUrl}/report?kind=${encodeURIComponent(String(fields.kind ?? ''))}`, { method: 'POST', body: form, headers: session ? { cookie: session.cookie } : {} });
  return { status: response.status, html: await response.text() };
}

/** The reference and receipt a confirmation page shows. */
export function confirmationOf(html: string): { reference: string; receipt: string } | null {
  const reference = new RegExp(`data-reference>(${REFERENCE_PATTERN})<`).exec(html)?.[1];
  const receipt = /data-receipt>([a-z ]+)</.exec(html)?.[1];
  return reference && receipt ? { reference, receipt } : null;
}
