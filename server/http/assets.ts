import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { build, type Metafile } from 'esbuild';
import nunjucks from 'nunjucks';

/** One file under /assets/, with its gzip form, and its brotli form made once (brotliOf). */
interface Asset {
  type: string;
  hash: string;
  identity: Buffer;
  gzip: Buffer;
  br?: Promise<Buffer>;
}

interface BuiltAssets {
  /** By the file name served: content-hashed (`report-5XKQ3H2N.js`), cached for a year. */
  hashed: Map<string, Asset>;
  /** By the name a template asks for (`report.js`, `style.css`): the hashed name it has now. */
  current: Map<string, string>;
  /** By hashed entry name: the module files to preload with it (preloadsOf). */
  preloads: Map<string, string[]>;
}

/** Browser bundles, by the name templates ask for; each is built from our own sources only. */
const BUNDLES: Record<string, string> = {
  report: path.resolve(__dirname, '../browser/report-page-entry.ts'),
  dashboard: path.resolve(__dirname, '../browser/dashboard.ts'),
  followup: path.resolve(__dirname, '../browser/followup-page-entry.ts'),
};

const ROOT = path.resolve(__dirname, '../..');
const IMMUTABLE = 'public, max-age=31536000, immutable';
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

let built: Promise<BuiltAssets> | undefined;
let ready: BuiltAssets | undefined;

/**
 * Builds the assets and compresses them all, brotli included (at quality 11, ~2 s of CPU): the
 * server does this before it listens. Without it (tests), each brotli form is made on first request.
 */
export async function buildAssets(): Promise<void> {
  const assets = await bundleAssets();
  await Promise.all([...assets.hashed.values()].map(brotliOf));
}

/**
 * Builds the browser bundles in memory with esbuild, once per process: ES modules split into chunks,
 * with OpenPGP.js's lightweight build, whose rarely needed parts (legacy ciphers, other curves,
 * Argon2) are chunks a page loads only when it uses them. Minified, no source maps. Served from our
 * own origin: no CDN, so a reporter's visit reaches nobody else.
 */
function bundleAssets(): Promise<BuiltAssets> {
  built ??= (async () => {
    const result = await build({
      entryPoints: BUNDLES,
      bundle: true,
      write: false,
      absWorkingDir: ROOT,
      outdir: 'out',
      format: 'esm',
      splitting: true,
      entryNames: '[name]-[hash]',
      chunkNames: '[name]-[hash]',
      platform: 'browser',
      target: ['es2020'],
      alias: { openpgp: 'openpgp/lightweight' },
      minify: true,
      legalComments: 'none',
      metafile: true,
      logLevel: 'silent',
    });
    const assets: BuiltAssets = { hashed: new Map(), current: new Map(), preloads: preloadsOf(result.metafile) };
    const entryNames = new Map(Object.entries(BUNDLES).map(([name, source]) => [path.relative(ROOT, source), name]));
    for (const file of result.outputFiles) {
      const hashedName = path.basename(file.path);
      assets.hashed.set(hashedName, await asset(Buffer.from(file.contents), 'text/javascript'));
      const entry = result.metafile.outputs[path.relative(ROOT, file.path)]?.entryPoint;
      const logical = entry === undefined ? undefined : entryNames.get(entry);
      if (logical) assets.current.set(`${logical}.js`, hashedName);
    }
    const css = await asset(await fs.readFile(path.join(ROOT, 'templates/static/style.css')), 'text/css');
    assets.hashed.set(`style-${css.hash}.css`, css);
    assets.current.set('style.css', `style-${css.hash}.css`);
    ready = assets;
    return assets;
  })();
  return built;
}

/** The URL of an asset by the name a template uses (`report.js`); the assets must be built. */
export function assetUrl(name: string): string {
  const hashed = builtAssets().current.get(name);
  if (!hashed) throw new Error(`No asset called ${name}`);
  return `/assets/${hashed}`;
}

/** The tags that load a page's script: the module itself and a preload of every chunk it imports. */
export function moduleScript(name: string): nunjucks.runtime.SafeString {
  const url = assetUrl(name);
  const preloads = builtAssets().preloads.get(url.slice('/assets/'.length)) ?? [];
  const tags = [
    ...preloads.map((chunk) => `<link rel="modulepreload" href="/assets/${chunk}">`),
    `<script type="module" src="${url}"></script>`,
  ];
  return new nunjucks.runtime.SafeString(tags.join('\n'));
}

/**
 * Serves the assets: hashed names for a year (a new build gives new names), the plain names a
 * cached page may still ask for revalidated each time; brotli or gzip as the client accepts.
 */
export async function assetRoutes(): Promise<Router> {
  const assets = await bundleAssets();
  const router = Router();
  router.get('/assets/:name', async (req, res, next) => {
    const name = req.params.name;
    const hashed = assets.hashed.get(name);
    if (hashed) return sendAsset(req, res, hashed, IMMUTABLE);
    const current = assets.current.get(name);
    if (current) return sendAsset(req, res, assets.hashed.get(current)!, 'no-cache');
    next();
  });
  return router;
}

async function sendAsset(req: Request, res: Response, found: Asset, cacheControl: string): Promise<void> {
  const encoding = req.acceptsEncodings('br', 'gzip', 'identity');
  const body = encoding === 'br' ? await brotliOf(found) : encoding === 'gzip' ? found.gzip : found.identity;
  const etag = `"${found.hash}${encoding === 'br' || encoding === 'gzip' ? `-${encoding}` : ''}"`;
  res.set({
    'Content-Type': `${found.type}; charset=utf-8`,
    'Cache-Control': cacheControl,
    Vary: 'Accept-Encoding',
    ETag: etag,
  });
  if (body !== found.identity) res.set('Content-Encoding', encoding as string);
  if (req.get('if-none-match') === etag) {
    res.status(304).end();
    return;
  }
  res.set('Content-Length', String(body.length));
  res.end(req.method === 'HEAD' ? undefined : body);
}

function builtAssets(): BuiltAssets {
  if (!ready) throw new Error('The assets are not built yet: await buildAssets() first');
  return ready;
}

/**
 * For each entry file, every chunk it needs before it runs (static imports, transitively) and the
 * modules the entry itself loads at once (its own dynamic imports), so that one round trip brings
 * them all. OpenPGP.js's own lazy chunks are left to load when used.
 */
function preloadsOf(metafile: Metafile): Map<string, string[]> {
  const imports = (file: string, dynamic: boolean) =>
    (metafile.outputs[file]?.imports ?? [])
      .filter((i) => i.kind === 'import-statement' || (dynamic && i.kind === 'dynamic-import'))
      .map((i) => i.path);
  const result = new Map<string, string[]>();
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!output.entryPoint) continue;
    const seen = new Set<string>();
    const queue = imports(file, true);
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...imports(next, false));
    }
    result.set(
      path.basename(file),
      [...seen].map((chunk) => path.basename(chunk)),
    );
  }
  return result;
}

async function asset(identity: Buffer, type: string): Promise<Asset> {
  return {
    type,
    hash: crypto.createHash('sha256').update(identity).digest('hex').slice(0, 12),
    identity,
    gzip: await gzip(identity, { level: 9 }),
  };
}

/** Brotli at its best quality: slow once, then as small as the files get (~10 % below quality 9). */
function brotliOf(found: Asset): Promise<Buffer> {
  const { identity } = found;
  found.br ??= brotli(identity, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
    },
  });
  return found.br;
}
