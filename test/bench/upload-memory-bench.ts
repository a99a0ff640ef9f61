// Part H: the server's peak resident memory while many clients post maximum-size reports at once
// (every attachment at its limit, encrypted as the page's script does). The upload budget admits what
// fits and answers the rest 503 with Retry-After; each client then sends again, until all are stored.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { PublicKey } from 'openpgp';
import { largestApiSubmissionBytes } from '../../server/intake/report-form';
import type { ServerProcess } from './server-process';
import { ms, table, verdict } from './stats';
import { buildSubmission, reportText } from './submission-payload';

export interface UploadMemoryOptions {
  server: ServerProcess;
  readerKeys: PublicKey[];
  /** The server's limits and budget, as its configuration has them. */
  limits: { maxAttachmentBytes: number; maxAttachments: number; uploadBudgetBytes: number };
  clients: number;
  /** A client waits the server's Retry-After, but at most this long, so that the run stays short. */
  retryCapMs: number;
  log: (message: string) => void;
}

export interface UploadMemoryResult {
  clients: number;
  bodyBytes: number;
  largestBytes: number;
  budgetBytes: number;
  /** The server's VmHWM before the uploads and at their end. */
  peakBeforeBytes: number;
  peakBytes: number;
  stored: number;
  refusals: number;
  /** 503s given while what was in flight, this one included, would have fitted the budget. */
  refusedThoughFitting: number;
  retryAfterSeconds: string;
  seconds: number;
  latencies: number[];
  failures: string[];
}

export async function runUploadMemoryBench(options: UploadMemoryOptions): Promise<UploadMemoryResult> {
  const { limits } = options;
  options.log(
    `   encrypting ${limits.maxAttachments} attachments of ${(limits.maxAttachmentBytes / 2 ** 20).toFixed(0)} MiB each…`,
  );
  const files = Array.from(
    { length: limits.maxAttachments },
    () => new Uint8Array(crypto.randomBytes(limits.maxAttachmentBytes)),
  );
  const submission = await buildSubmission(options.readerKeys, reportText(), files);
  options.log(
    `   ${options.clients} clients, each posting one ${(submission.size / 2 ** 20).toFixed(1)} MiB body at once…`,
  );

  const target = new URL(`${options.server.url}/api/reports`);
  const peakBeforeBytes = peakResident(options.server.pid);
  let inFlight = 0;
  let refusals = 0;
  let refusedThoughFitting = 0;
  let stored = 0;
  const retryAfter = new Set<string>();
  const latencies: number[] = [];
  const failures: string[] = [];

  const client = async (index: number) => {
    // Each its own address (the app trusts the loopback proxy), so that the per-client cap is one upload each.
    const address = `10.${Math.floor(index / 250)}.${index % 250}.1`;
    const started = Date.now();
    for (let attempt = 0; attempt < 1000; attempt++) {
      inFlight++;
      const answer = await post(target, submission.parts(), address).catch((error: Error) => ({
        status: 0,
        retryAfter: null,
        text: error.message,
      }));
      inFlight--;
      if (answer.status === 201) {
        stored++;
        latencies.push(Date.now() - started);
        return;
      }
      if (answer.status !== 503) {
        failures.push(`${answer.status}: ${answer.text.slice(0, 200)}`);
        return;
      }
      refusals++;
      // inFlight now counts the others still waiting for an answer: the server holds at most that many.
      if ((inFlight + 1) * submission.size <= limits.uploadBudgetBytes) refusedThoughFitting++;
      retryAfter.add(answer.retryAfter ?? 'none');
      const wait = Math.min(Number(answer.retryAfter ?? 1) * 1000, options.retryCapMs);
      await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + Math.random())));
    }
  };

  const started = Date.now();
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  return {
    clients: options.clients,
    bodyBytes: submission.size,
    largestBytes: largestApiSubmissionBytes(limits),
    budgetBytes: limits.uploadBudgetBytes,
    peakBeforeBytes,
    peakBytes: peakResident(options.server.pid),
    stored,
    refusals,
    refusedThoughFitting,
    retryAfterSeconds: [...retryAfter].join(', ') || 'none given',
    seconds: (Date.now() - started) / 1000,
    latencies,
    failures,
  };
}

const TARGET_PEAK_BYTES = 1.5 * 2 ** 30;

export function printUploadMemory(result: UploadMemoryResult): void {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const sorted = [...result.latencies].sort((a, b) => a - b);
  console.log(
    `\nH. ${result.clients} concurrent maximum-size submissions (POST /api/reports, ${mib(result.bodyBytes)} each; largest accepted ${mib(result.largestBytes)})\n`,
  );
  console.log(
    table(
      [
        'upload budget',
        'peak RSS before',
        'peak RSS',
        'stored',
        '503 answers',
        '503 though fitting',
        'Retry-After',
        'time',
        'slowest client',
      ],
      [
        [
          mib(result.budgetBytes),
          mib(result.peakBeforeBytes),
          mib(result.peakBytes),
          `${result.stored}/${result.clients}`,
          String(result.refusals),
          String(result.refusedThoughFitting),
          `${result.retryAfterSeconds} s`,
          `${result.seconds.toFixed(1)} s`,
          ms(sorted.at(-1) ?? 0),
        ],
      ],
    ),
  );
  const ok = result.peakBytes < TARGET_PEAK_BYTES;
  console.log(
    `\n   peak resident memory of the server ${mib(result.peakBytes)} (target < ${mib(TARGET_PEAK_BYTES)})  ${verdict(ok)}`,
  );
  console.log(
    `   every submission stored in the end, none refused that fitted the budget  ${verdict(result.stored === result.clients && result.refusedThoughFitting === 0)}`,
  );
  for (const failure of result.failures.slice(0, 3)) console.log(`   failure: ${failure}`);
}

/** The high-water mark of a process's resident memory (Linux; 0 elsewhere). */
function peakResident(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** One POST of a body in parts; the answer may come before the body is sent (a 503), and then the rest is not. */
function post(
  target: URL,
  parts: Buffer[],
  address: string,
): Promise<{ status: number; retryAfter: string | null; text: string }> {
  return new Promise((resolve, reject) => {
    const length = parts.reduce((n, p) => n + p.length, 0);
    const request = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.pathname,
        method: 'POST',
        // Keep-alive, as browsers do: with "Connection: close" from the client, Node's server resets a connection whose body is unread.
        agent: new http.Agent({ keepAlive: true }),
        headers: { 'content-type': 'application/json', 'content-length': length, 'x-forwarded-for': address },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          request.destroy();
          const retryAfter = response.headers['retry-after'];
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    const writeFrom = (index: number) => {
      if (request.destroyed) return;
      if (index === parts.length) return void request.end();
      if (request.write(parts[index]!)) writeFrom(index + 1);
      else request.once('drain', () => writeFrom(index + 1));
    };
    writeFrom(0);
  });
}
