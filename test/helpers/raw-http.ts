// HTTP as it travels: the body's bytes as sent (compressed or not), without the decoding fetch does.
import http from 'node:http';
import zlib from 'node:zlib';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as it came over the wire. */
  body: Buffer;
}

export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

export function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(url, { headers });
}

/** The body decoded by its Content-Encoding (br, gzip or none). */
export function decodedBody(response: RawResponse): Buffer {
  const encoding = response.headers['content-encoding'];
  if (encoding === 'br') return zlib.brotliDecompressSync(response.body);
  if (encoding === 'gzip') return zlib.gunzipSync(response.body);
  if (encoding === undefined || encoding === 'identity') return response.body;
  throw new Error(`Unexpected Content-Encoding ${encoding}`);
}

/** The assets an HTML page loads before it is usable: stylesheets, module preloads and scripts, in order. */
export function pageAssetUrls(html: string): string[] {
  const urls: string[] = [];
  for (const match of html.matchAll(
    /<link rel="(?:stylesheet|modulepreload)" href="([^"]+)"|<script[^>]* src="([^"]+)"/g,
  ))
    urls.push((match[1] ?? match[2])!);
  return urls;
}

/** The module files a script imports statically (`import … from "./x.js"`, `import "./x.js"`), as written. */
export function staticModuleImports(script: string): string[] {
  return [...script.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+)["']/g)].map((m) => m[1]!);
}
