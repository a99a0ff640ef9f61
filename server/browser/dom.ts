// Small DOM helpers for the bundles. Text goes in through textContent only: decrypted content and
// anything from the server is never parsed as HTML.

export function element(tag: string, text = '', className = ''): HTMLElement {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

export function setText(root: ParentNode, selector: string, text: string): void {
  const node = root.querySelector<HTMLElement>(selector);
  if (node) node.textContent = text;
}

export function show(node: Element | null, visible = true): void {
  if (node) (node as HTMLElement).hidden = !visible;
}

/** A link that downloads bytes under a name, made in the browser (the bytes never leave it). */
export function downloadLink(data: Uint8Array, filename: string, label: string): HTMLAnchorElement {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([data as BlobPart], { type: 'application/octet-stream' }));
  link.download = filename || 'attachment';
  link.textContent = label;
  return link;
}

export function fromBase64(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** No answer came back: the request may or may not have reached the server. */
export class ServerUnreachableError extends Error {}

/** fetch that turns a JSON error into an Error with the server's sentence. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', ...init });
  } catch {
    throw new ServerUnreachableError('The server could not be reached. Check your connection and try again.');
  }
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new Error(body.error ?? `The server answered ${response.status}.`);
  return body as T;
}
