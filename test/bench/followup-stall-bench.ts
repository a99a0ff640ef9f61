// E. Whether checking a receipt on the no-JavaScript follow-up path holds up the server (issue 7.11):
// /healthz latency, asked one after another, while a wrong receipt and while a right one (a reporter
// key locked by a browser: Argon2, 64 MiB, 3 passes) are being checked, against an idle server.
import { defaultArgon2Cost } from '../../crypto/openpgp-config';
import { generateReceipt } from '../../crypto/receipt';
import { WebClient } from '../helpers/cookie-jar';
import { buildEncryptedPayload, postJson } from '../helpers/encrypted-payload';
import { ms, summarize, table, type LatencySummary } from './stats';

export interface StallFigures {
  healthz: LatencySummary & { max: number; count: number };
  /** How long the follow-up request itself took. */
  followup: LatencySummary;
}

export interface FollowupStallResult {
  idle: StallFigures['healthz'];
  wrong: StallFigures;
  right: StallFigures;
}

const elapsed = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

async function healthzOnce(appUrl: string): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await fetch(`${appUrl}/healthz`);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`/healthz answered ${response.status}`);
  return elapsed(started);
}

const withMax = (samples: number[]) => ({ ...summarize(samples), max: Math.max(...samples), count: samples.length });

/** Posts each receipt (after opening the page for its token) and asks /healthz until the answer comes. */
async function during(appUrl: string, receipts: string[], expectedStatus: number): Promise<StallFigures> {
  const health: number[] = [];
  const followups: number[] = [];
  for (const receipt of receipts) {
    const client = new WebClient(appUrl);
    const form = await client.get('/followup');
    const started = process.hrtime.bigint();
    let done = false;
    const posted = client.submit(form, '/followup', { receipt }).finally(() => {
      done = true;
    });
    while (!done) health.push(await healthzOnce(appUrl));
    const page = await posted;
    followups.push(elapsed(started));
    if (page.status !== expectedStatus)
      throw new Error(`POST /followup answered ${page.status}, expected ${expectedStatus}`);
  }
  return { healthz: withMax(health), followup: summarize(followups) };
}

export async function runFollowupStallBench(appUrl: string, options: { rounds: number }): Promise<FollowupStallResult> {
  const response = await fetch(`${appUrl}/api/recipients?kind=security`);
  const { recipients } = (await response.json()) as { recipients: { publicKey: string }[] };
  const payload = await buildEncryptedPayload({
    kind: 'security',
    recipientKeys: recipients.map((r) => r.publicKey),
    text: 'A report filed from a browser, to follow up on without JavaScript.',
    reporterKeyCost: defaultArgon2Cost,
  });
  const filed = await postJson(`${appUrl}/api/reports`, payload.body);
  if (filed.status !== 201) throw new Error(`POST /api/reports answered ${filed.status}`);

  const idle: number[] = [];
  for (let i = 0; i < 200; i++) idle.push(await healthzOnce(appUrl));
  // Receipt guesses are limited to 30 per client per quarter hour: a few of each kind.
  const wrong = await during(
    appUrl,
    Array.from({ length: options.rounds }, () => generateReceipt()),
    404,
  );
  const right = await during(
    appUrl,
    Array.from({ length: options.rounds }, () => payload.receipt),
    200,
  );
  return { idle: withMax(idle), wrong, right };
}

export function printFollowupStall(result: FollowupStallResult): void {
  console.log(
    '\nE. /healthz while POST /followup checks a receipt (no-JavaScript path; browser-made key, Argon2 64 MiB × 3)\n',
  );
  const row = (name: string, h: StallFigures['healthz'], followup?: LatencySummary) => [
    name,
    String(h.count),
    ms(h.p50),
    ms(h.p99),
    ms(h.max),
    followup ? ms(followup.p50) : '—',
  ];
  console.log(
    table(
      ['while', '/healthz asked', 'p50', 'p99', 'max', 'POST /followup p50'],
      [
        row('idle', result.idle),
        row('a wrong receipt', result.wrong.healthz, result.wrong.followup),
        row('a right receipt', result.right.healthz, result.right.followup),
      ],
    ),
  );
  console.log(
    `\n   worst /healthz during a right receipt's unlock: ${ms(result.right.healthz.max)} (the unlock itself: ${ms(result.right.followup.p50)})`,
  );
}
