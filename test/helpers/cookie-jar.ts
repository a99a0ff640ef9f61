// A minimal browser over fetch: a cookie jar, redirects not followed (tests look at each hop), and
// form posts that pick up the page's CSRF token like a real form does.

export interface Page {
  status: number;
  /** Location header of a redirect, or null. */
  location: string | null;
  html: string;
  /** Set-Cookie headers as sent, for attribute checks. */
  setCookies: string[];
  headers: Headers;
}

/** Cookies by name; honours deletion (Max-Age=0 or an Expires in the past) but not Path or Domain. */
export class CookieJar {
  private readonly values = new Map<string, string>();

  store(setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = decodeURIComponent(pair.slice(eq + 1).trim());
      const attrs = attributes.map((a) => a.trim().toLowerCase());
      const expires = attrs.find((a) => a.startsWith('expires='));
      const gone =
        attrs.includes('max-age=0') || (expires !== undefined && new Date(expires.slice(8)).getTime() <= Date.now());
      if (gone || value === '') this.values.delete(name);
      else this.values.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  set(name: string, value: string): void {
    this.values.set(name, value);
  }

  delete(name: string): void {
    this.values.delete(name);
  }

  header(): string {
    return [...this.values].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
  }
}

export class WebClient {
  constructor(
    readonly baseUrl: string,
    readonly jar: CookieJar = new CookieJar(),
    /** Sent with every request (e.g. X-Forwarded-For, to be another client behind a trusted proxy). */
    readonly headers: Record<string, string> = {},
  ) {}

  get(path: string): Promise<Page> {
    return this.request(path, { method: 'GET' });
  }

  /** Posts urlencoded fields exactly as given (no CSRF token added). */
  post(path: string, fields: Record<string, string>): Promise<Page> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Posts the form at `action` on `page`, with the CSRF token that form carries. */
  submit(page: Page, action: string, fields: Record<string, string>): Promise<Page> {
    return this.post(action, { _csrf: csrfTokenIn(page.html, action), ...fields });
  }

  /** GETs the redirect target of `page`. */
  follow(page: Page): Promise<Page> {
    if (!page.location) throw new Error(`Not a redirect (status ${page.status})`);
    return this.get(page.location.replace(this.baseUrl, ''));
  }

  private async request(path: string, init: RequestInit): Promise<Page> {
    const cookie = this.jar.header();
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: {
        ...this.headers,
        ...(init.headers as Record<string, string> | undefined),
        ...(cookie ? { cookie } : {}),
      },
    });
    const setCookies = response.headers.getSetCookie();
    this.jar.store(setCookies);
    return {
      status: response.status,
      location: response.headers.get('location'),
      html: await response.text(),
      setCookies,
      headers: response.headers,
    };
  }
}

/** The _csrf value of the form posting to `action`. */
export function csrfTokenIn(html: string, action: string): string {
  const form = new RegExp(`<form[^>]*action="${action.replace(/[/.?]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  const token = form && /name="_csrf" value="([^"]+)"/.exec(form[1]!)?.[1];
  if (!token) throw new Error(`No form posting to ${action} with a CSRF token on this page`);
  return token;
}

/** The texts of the page's error summary (role=alert), tags stripped. */
export function alertText(html: string): string {
  const alerts = [...html.matchAll(/role="alert"[^>]*>([\s\S]*?)<\/div>/g)].map((m) => m[1]!);
  return alerts
    .join(' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The Set-Cookie header of one cookie, by name. */
export function setCookieFor(page: Page, name: string): string | undefined {
  return page.setCookies.find((c) => c.startsWith(`${name}=`));
}
