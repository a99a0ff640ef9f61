// Headless Chromium (Debian's, never a downloaded build) for the end-to-end tests, a recorder of
// everything a page sends, and axe-core for the accessibility checks.
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AxeResults, Result as AxeViolation } from 'axe-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags that keep the browser from talking to anyone but the page's own server. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchOptions {
  /**
   * V8 without its compilers, as Tor Browser's "Safer" level runs it: no JIT and no WebAssembly
   * (`typeof WebAssembly === 'undefined'`), every script interpreted.
   */
  jitless?: boolean;
}

export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const args = options.jitless ? [...CHROMIUM_ARGS, '--js-flags=--jitless'] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM_PATH, args });
}

export interface RecordedRequest {
  url: string;
  method: string;
  /** The request body (form data, JSON, multipart), or null when there is none. */
  body: Buffer | null;
}

/** Records every request the page makes from now on, with its body. */
export function recordRequests(page: Page): RecordedRequest[] {
  const recorded: RecordedRequest[] = [];
  page.on('request', (request) => {
    recorded.push({ url: request.url(), method: request.method(), body: request.postDataBuffer() });
  });
  return recorded;
}

/** The requests whose URL or body contains `needle` (UTF-8), to assert that there are none. */
export function requestsContaining(requests: readonly RecordedRequest[], needle: string): RecordedRequest[] {
  const bytes = Buffer.from(needle, 'utf8');
  return requests.filter(
    (r) => r.url.includes(needle) || r.url.includes(encodeURIComponent(needle)) || (r.body?.includes(bytes) ?? false),
  );
}

const AXE_PATH = path.join(__dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe-core on the page as it is now and returns the serious and critical violations. The
 * script is injected inline, so the page's context must be made with `bypassCSP: true`.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const results = await page.evaluate(() => (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run());
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One readable paragraph per violation, for a failing assertion's message. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n')}`,
    )
    .join('\n\n');
}
