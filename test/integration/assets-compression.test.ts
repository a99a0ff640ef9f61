// The browser bundles and stylesheet as they go over the wire: content-hashed names cached for a
// year, brotli or gzip as the client asks (the same bytes once decoded), Vary on Accept-Encoding,
// and public pages compressed only where no secret meets text from the request (BREACH).
import crypto from 'node:crypto';
import { openReportForm } from '../helpers/form-client';
import { startReportScenario, type ReportScenario } from '../helpers/report-scenario';
import {
  decodedBody,
  pageAssetUrls,
  rawGet,
  rawRequest,
  staticModuleImports,
  type RawResponse,
} from '../helpers/raw-http';

let scenario: ReportScenario;
let base: string;
beforeAll(async () => {
  scenario = await startReportScenario();
  base = scenario.server.url;
});
afterAll(() => scenario?.close());

/** A report form's own address: /report?kind=… redirects to one with a form id (one case per form). */
async function formPath(kind: 'security' | 'coc'): Promise<string> {
  const redirect = await rawGet(`${base}/report?kind=${kind}`);
  expect(redirect.status).toBe(303);
  return redirect.headers.location!;
}

async function assetsOf(path: string): Promise<string[]> {
  const page = await rawGet(`${base}${path}`);
  expect(page.status).toBe(200);
  return pageAssetUrls(decodedBody(page).toString('utf8'));
}

const BR = { 'Accept-Encoding': 'br, gzip;q=0.8' };

describe('assets', () => {
  test('pages refer to content-hashed names; brotli, gzip and plain decode to the same bytes', async () => {
    const urls = await assetsOf(await formPath('security'));
    expect(urls.some((u) => /^\/assets\/style-[0-9a-f]{12}\.css$/.test(u))).toBe(true);
    expect(urls.some((u) => /^\/assets\/report-[A-Z0-9]{8}\.js$/.test(u))).toBe(true);
    expect(urls.filter((u) => !/^\/assets\/[\w.-]+-[A-Za-z0-9]{8,12}\.(js|css)$/.test(u))).toEqual([]);

    for (const url of urls) {
      const plain = await rawGet(`${base}${url}`);
      const br = await rawGet(`${base}${url}`, BR);
      const gzip = await rawGet(`${base}${url}`, { 'Accept-Encoding': 'gzip, deflate' });
      expect([plain.status, br.status, gzip.status]).toEqual([200, 200, 200]);
      expect([
        plain.headers['content-encoding'],
        br.headers['content-encoding'],
        gzip.headers['content-encoding'],
      ]).toEqual([undefined, 'br', 'gzip']);
      expect(decodedBody(br).equals(plain.body)).toBe(true);
      expect(decodedBody(gzip).equals(plain.body)).toBe(true);
      if (plain.body.length > 1000) expect(br.body.length).toBeLessThan(plain.body.length / 2);
      expect(plain.body.includes('sourceMappingURL')).toBe(false); // no source maps for the public
      for (const response of [plain, br, gzip]) {
        expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(response.headers.vary).toMatch(/Accept-Encoding/i);
        expect(Number(response.headers['content-length'])).toBe(response.body.length);
      }
      expect(plain.headers['content-type']).toMatch(
        url.endsWith('.css') ? /^text\/css; charset=utf-8/ : /^text\/javascript; charset=utf-8/,
      );
    }
  });

  test('the stylesheet name is the hash of its bytes', async () => {
    const url = (await assetsOf('/followup')).find((u) => u.endsWith('.css'))!;
    const css = (await rawGet(`${base}${url}`)).body;
    expect(url).toBe(`/assets/style-${crypto.createHash('sha256').update(css).digest('hex').slice(0, 12)}.css`);
  });

  test('every module a page script imports is preloaded by the page and served', async () => {
    for (const path of [await formPath('coc'), '/followup']) {
      const urls = await assetsOf(path);
      for (const url of urls.filter((u) => u.endsWith('.js'))) {
        const script = decodedBody(await rawGet(`${base}${url}`, BR)).toString('utf8');
        for (const imported of staticModuleImports(script)) expect(urls).toContain(`/assets/${imported.slice(2)}`);
      }
    }
  });

  test('a hash that was never built is a 404, never cached; the plain names are revalidated', async () => {
    const [script] = (await assetsOf(await formPath('security'))).filter((u) => /\/report-[A-Z0-9]{8}\.js$/.test(u));
    const wrongHash = script!.replace(/-[A-Z0-9]{8}\.js$/, '-AAAAAAAA.js');
    for (const url of [
      wrongHash,
      `${script}.map`,
      '/assets/style-000000000000.css',
      '/assets/nothing.js',
      '/assets/..%2Fapp.ts',
    ]) {
      const response = await rawGet(`${base}${url}`, BR);
      expect({ url, status: response.status }).toEqual({ url, status: 404 });
      expect(response.headers['cache-control'] ?? '').not.toMatch(/immutable/);
    }
    const plain = await rawGet(`${base}/assets/report.js`, BR);
    expect(plain.status).toBe(200);
    expect(plain.headers['cache-control']).toBe('no-cache');
    expect(decodedBody(plain).equals(decodedBody(await rawGet(`${base}${script}`, BR)))).toBe(true);
    const again = await rawGet(`${base}/assets/report.js`, { ...BR, 'If-None-Match': String(plain.headers.etag) });
    expect(again.status).toBe(304);
    // Each encoding is its own representation, with its own validator.
    expect((await rawGet(`${base}/assets/report.js`)).headers.etag).not.toBe(plain.headers.etag);
  });

  test('Accept-Encoding is read with its weights', async () => {
    const [url] = await assetsOf('/followup');
    const encodingFor = async (accept: string) =>
      (await rawGet(`${base}${url}`, { 'Accept-Encoding': accept })).headers['content-encoding'];
    expect(await encodingFor('gzip;q=1, br;q=0.5')).toBe('gzip');
    expect(await encodingFor('br;q=0, gzip')).toBe('gzip');
    expect(await encodingFor('identity')).toBeUndefined();
    expect(await encodingFor('zstd')).toBeUndefined();
  });
});

describe('pages', () => {
  const encodingOf = (response: RawResponse) => response.headers['content-encoding'];

  test('the public pages that reflect nothing from the request are compressed, with Vary', async () => {
    for (const path of ['/report', await formPath('security'), await formPath('coc'), '/followup']) {
      const response = await rawGet(`${base}${path}`, BR);
      expect({ path, encoding: encodingOf(response) }).toEqual({ path, encoding: 'br' });
      expect(response.headers.vary).toMatch(/Accept-Encoding/i);
      expect(decodedBody(response).toString('utf8')).toMatch(/^<!doctype html>/);
    }
  });

  test('answers that may carry a secret next to text from the request go uncompressed', async () => {
    const reflected = 'BREACH-' + crypto.randomBytes(6).toString('hex');
    // An unknown query name, an error page quoting the request, a POST that shows the form again.
    const unknownQuery = await rawGet(`${base}${await formPath('security')}&q=${reflected}`, BR);
    expect(unknownQuery.status).toBe(200);
    expect(encodingOf(unknownQuery)).toBeUndefined();
    const badKind = await rawGet(`${base}/report?kind=${reflected}`, BR);
    expect(badKind.status).toBe(400);
    expect(encodingOf(badKind)).toBeUndefined();
    // A post from our own form page without its submission token: the form comes back with the text.
    const session = await openReportForm(base, 'security');
    const posted = await rawRequest(`${base}/report?kind=security`, {
      method: 'POST',
      headers: { ...BR, 'Content-Type': 'application/x-www-form-urlencoded', cookie: session.cookie },
      body: new URLSearchParams({ kind: 'security', _csrf: session.csrf, body: reflected }).toString(),
    });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(posted.body.toString('utf8')).toContain(reflected);
    expect(encodingOf(posted)).toBeUndefined();
    const followup = await rawRequest(`${base}/followup`, {
      method: 'POST',
      headers: { ...BR, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `receipt=${reflected}`,
    });
    expect(encodingOf(followup)).toBeUndefined();
  });
});
