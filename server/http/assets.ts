import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { build } from 'esbuild';
import { TEMPLATES_DIR } from './views';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Browser bundles, by the URL name they are served under; each is built from our own sources only. */
const BUNDLES: Record<string, string> = {
  report: path.resolve(__dirname, '../browser/report-page.ts'),
  dashboard: path.resolve(__dirname, '../browser/dashboard.ts'),
  followup: path.resolve(__dirname, '../browser/followup-page.ts'),
};

let built: Promise<Map<string, Asset>> | undefined;

/**
 * Builds the browser bundles (OpenPGP.js included) in memory with esbuild, once per process.
 * Served from our own origin: no CDN, so a reporter's visit reaches nobody else.
 */
export function buildAssets(): Promise<Map<string, Asset>> {
  built ??= (async () => {
    const assets = new Map<string, Asset>();
    const result = await build({
      entryPoints: BUNDLES,
      bundle: true,
      write: false,
      outdir: 'out',
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    });
    for (const file of result.outputFiles) assets.set(path.basename(file.path), asset(Buffer.from(file.contents), 'text/javascript'));
    const css = await fs.readFile(path.join(TEMPLATES_DIR, 'static/style.css'));
    assets.set('style.css', asset(css, 'text/css'));
    return assets;
  })();
  return built;
}

export function assetRoutes(): Router {
  const router = Router();
  router.get('/assets/:name', async (req, res, next) => {
    const found = (await buildAssets()).get(req.params.name);
    if (!found) return next();
    res.set({ 'Content-Type': `${found.type}; charset=utf-8`, ETag: found.etag, 'Cache-Control': 'no-cache' });
    if (req.get('if-none-match') === found.etag) return res.status(304).end();
    res.send(found.body);
  });
  return router;
}

function asset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}
