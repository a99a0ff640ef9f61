// G. What each public page costs a reporter on the wire before it is usable: its HTML, stylesheet
// and every script it loads at start (modules, their static imports and preloads), fetched as a
// browser that accepts brotli would, counting the bytes of the bodies as sent. Also with gzip only
// and with no compression, for comparison. OpenPGP.js's lazy chunks (loaded only when a rare
// algorithm is needed) are not counted: a page is usable without them.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { IntakeKeyring } from '../../server/intake-key/keyring';
import { decodedBody, pageAssetUrls, rawGet, staticModuleImports } from '../helpers/raw-http';
import type { BenchDatabase } from './bench-database';
import { table, verdict } from './stats';

/** The pages a reporter opens, by what the bench calls them. */
const PAGES: [string, string][] = [
  ['report choose page', '/report'],
  ['security form', '/report?kind=security'],
  ['Code of Conduct form', '/report?kind=coc'],
  ['follow-up page', '/followup'],
  ['security policy', '/security-policy'],
];
export const REPORT_PAGE_TARGET_BYTES = 150 * 1024;

export interface PageWeight {
  name: string;
  path: string;
  requests: number;
  /** Bytes of the bodies as sent, by what the client accepted. */
  br: number;
  gzip: number;
  identity: number;
}

const ENCODINGS = { br: 'br, gzip, deflate', gzip: 'gzip, deflate', identity: 'identity' } as const;

/** Starts the app in this process (with an intake key, for the security policy) and weighs each page. */
export async function runPageWeightBench(database: BenchDatabase): Promise<PageWeight[]> {
  const config = loadConfig({
    DATA_DIR: database.dir,
    DATABASE_URL: database.url,
    MAIL_DOMAIN: 'bench.example',
  });
  const log = createLogger(() => undefined);
  const db = database.handle.db;
  const intakeKeys = await IntakeKeyring.open({
    db,
    config,
    passphrase: 'bench intake key passphrase, not a secret',
    log,
    argon2: { passes: 1, parallelism: 1, memoryExponent: 10 },
  });
  const app = await createApp({ db, config, log, intakeKeys });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const weights: PageWeight[] = [];
    for (const [name, path] of PAGES) {
      const weight: PageWeight = { name, path, requests: 0, br: 0, gzip: 0, identity: 0 };
      for (const encoding of Object.keys(ENCODINGS) as (keyof typeof ENCODINGS)[]) {
        const { requests, bytes } = await weighPage(`${base}${path}`, ENCODINGS[encoding]);
        weight[encoding] = bytes;
        weight.requests = requests;
      }
      weights.push(weight);
    }
    return weights;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The page, then what it loads, then what that imports, each URL once. */
async function weighPage(url: string, acceptEncoding: string): Promise<{ requests: number; bytes: number }> {
  const headers = { 'Accept-Encoding': acceptEncoding };
  let page = await rawGet(url, headers);
  // A report form first redirects to its own address (one case per form): count that answer too.
  let redirectBytes = 0;
  if (page.status === 303 && page.headers.location) {
    redirectBytes = page.body.length;
    page = await rawGet(new URL(page.headers.location, url).toString(), headers);
  }
  if (page.status !== 200) throw new Error(`GET ${url} answered ${page.status}`);
  let bytes = redirectBytes + page.body.length;
  const seen = new Set<string>();
  const queue = pageAssetUrls(decodedBody(page).toString('utf8')).map((asset) => new URL(asset, url).href);
  while (queue.length > 0) {
    const asset = queue.shift()!;
    if (seen.has(asset)) continue;
    seen.add(asset);
    const response = await rawGet(asset, headers);
    if (response.status !== 200) throw new Error(`GET ${asset} answered ${response.status}`);
    bytes += response.body.length;
    if (asset.endsWith('.js'))
      queue.push(
        ...staticModuleImports(decodedBody(response).toString('utf8')).map((imported) => new URL(imported, asset).href),
      );
  }
  return { requests: (redirectBytes > 0 ? 2 : 1) + seen.size, bytes };
}

export function printPageWeights(weights: PageWeight[]): void {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(
    '\nG. Bytes each public page transfers before it is usable (HTML + CSS + the scripts it loads; bodies as sent)\n',
  );
  console.log(
    table(
      ['page', 'path', 'requests', 'brotli', 'gzip', 'uncompressed'],
      weights.map((w) => [w.name, w.path, String(w.requests), kib(w.br), kib(w.gzip), kib(w.identity)]),
    ),
  );
  for (const w of weights.filter((x) => x.path.startsWith('/report?kind='))) {
    console.log(
      `   ${w.name} with brotli: ${kib(w.br)} (target ≤ ${kib(REPORT_PAGE_TARGET_BYTES)})  ${verdict(w.br <= REPORT_PAGE_TARGET_BYTES)}`,
    );
  }
}
