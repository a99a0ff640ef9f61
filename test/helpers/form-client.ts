// A client of the no-JavaScript report form: fetches the page (CSRF cookie, hidden CSRF field and the
// one-time submission token), posts it back, and follows the redirect to the confirmation as a browser does.
import { REFERENCE_PATTERN } from '../../server/cases/case-reference';

export interface FormSession {
  cookie: string;
  csrf: string;
  /** The form's one-time submission token. */
  submission: string;
  html: string;
}

export async function openReportForm(baseUrl: string, kind: string): Promise<FormSession> {
  const response = await fetch(`${baseUrl}/report?kind=${kind}`);
  const html = await response.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const submission = /name="submission" value="([^"]+)"/.exec(html)?.[1];
  const cookie = cookiesOf(response);
  if (!csrf || !cookie || !submission)
    throw new Error(`The form page gave no CSRF or submission token (status ${response.status})`);
  return { cookie, csrf, submission, html };
}

export interface FormAnswer {
  /** The status of the post itself: 303 when the report was stored and the browser is sent on. */
  status: number;
  /** The page the browser shows: the confirmation after a 303, else the post's own answer. */
  html: string;
  /** The confirmation's address after a 303. */
  location?: string;
}

/** Posts the form; a session's submission token is sent unless `fields` names one (or is `submission: []`). */
export async function postReportForm(
  baseUrl: string,
  session: (Pick<FormSession, 'cookie'> & { submission?: string }) | null,
  fields: Record<string, string | string[]>,
  files: { name: string; data: Uint8Array }[] = [],
): Promise<FormAnswer> {
  const form = new FormData();
  const all = { ...(session?.submission ? { submission: session.submission } : {}), ...fields };
  for (const [name, value] of Object.entries(all))
    for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  for (const file of files) form.append('attachments', new Blob([Buffer.from(file.data)]), file.name);
  const response = await fetch(`${baseUrl}/report?kind=${encodeURIComponent(String(fields.kind ?? ''))}`, {
    method: 'POST',
    body: form,
    headers: session ? { cookie: session.cookie } : {},
    redirect: 'manual',
  });
  return followToConfirmation(baseUrl, session?.cookie ?? '', response);
}

/** After a 303, GETs the confirmation with the cookie the redirect set, as a browser does. */
export async function followToConfirmation(baseUrl: string, cookie: string, response: Response): Promise<FormAnswer> {
  const location = response.headers.get('location') ?? undefined;
  if (response.status !== 303 || !location) return { status: response.status, html: await response.text() };
  const confirmation = await fetch(new URL(location, baseUrl), {
    headers: { cookie: [cookie, cookiesOf(response)].filter(Boolean).join('; ') },
  });
  return { status: response.status, html: await confirmation.text(), location };
}

/** The reference and receipt a confirmation page shows. */
export function confirmationOf(html: string): { reference: string; receipt: string } | null {
  const reference = new RegExp(`data-reference>(${REFERENCE_PATTERN})<`).exec(html)?.[1];
  const receipt = /data-receipt>([a-z ]+)</.exec(html)?.[1];
  return reference && receipt ? { reference, receipt } : null;
}

function cookiesOf(response: Response): string {
  return (response.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
}
