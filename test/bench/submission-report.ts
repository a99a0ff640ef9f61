// What sections A and B print: the submission figures against the baseline, the encryption figures
// against gpg and sq, each target's verdict, and (BENCH_CPU_PROF=1) where each server's CPU went.
import { printProfileSummary, summarizeProfiles, type ProfileWindow } from './cpu-profile-summary';
import type { EncryptionResult } from './encryption-bench';
import type { ServerProcess } from './server-process';
import { ms, table, verdict } from './stats';
import type { SubmissionFigures } from './submission-bench';

const THROUGHPUT_TARGET = 0.7;
const SPEEDUP_TARGET = 5;
/** Milliseconds each added recipient may cost the server-side encryption. */
const PER_RECIPIENT_TARGET = 0.15;

export function printReport(
  ours: SubmissionFigures,
  baseline: SubmissionFigures,
  encryption: EncryptionResult[],
): void {
  const ratio = ours.perSecond / baseline.perSecond;
  const cpu = (x: number | undefined) => (x === undefined ? 'n/a' : ms(x));
  const row = (name: string, r: SubmissionFigures) => [
    name,
    r.perSecond.toFixed(0),
    ms(r.p50),
    ms(r.p99),
    cpu(r.cpu?.server),
    cpu(r.cpu?.postgres),
    cpu(r.cpu?.loadGenerator),
  ];
  console.log(
    '\nA. POST /api/reports, JavaScript path (pre-encrypted ~10 KB report); CPU time per request by process\n',
  );
  console.log(
    table(
      ['server', 'req/s', 'p50', 'p99', 'CPU server', 'CPU postgres', 'CPU load gen'],
      [row('baseline (express+pg)', baseline), row('ours (server/app.ts)', ours)],
    ),
  );
  console.log(
    `\n   ours / baseline throughput = ${(ratio * 100).toFixed(0)}%  (target ≥ ${THROUGHPUT_TARGET * 100}%)  ${verdict(ratio >= THROUGHPUT_TARGET)}`,
  );
  for (const [name, r] of [
    ['baseline', baseline],
    ['ours', ours],
  ] as const) {
    console.log(
      `   ${name}: ${r.queries.statements.toFixed(1)} SQL statements/request, ${ms(r.queries.milliseconds)} in them — ${r.queries.top}`,
    );
  }
  console.log(
    `   busy database sessions (pool of 10), average while measured — baseline: ${baseline.waits}; ours: ${ours.waits}`,
  );
  if (ours.cpu && baseline.cpu) {
    // Less sensitive to other work on the machine than req/s: what one request costs all three processes.
    const total = (c: NonNullable<SubmissionFigures['cpu']>) => c.server + c.postgres + c.loadGenerator;
    console.log(
      `   CPU per request, all three processes: ours ${ms(total(ours.cpu))}, baseline ${ms(total(baseline.cpu))}` +
        ` → CPU-bound ratio ≈ ${((total(baseline.cpu) / total(ours.cpu)) * 100).toFixed(0)}%`,
    );
  }

  console.log('\nB. Server-side encryption per report, no-JavaScript path (~10 KB)\n');
  const sqNote = encryption.some((e) => e.sq === null);
  const sqCell = (x: number | undefined) => (x === undefined ? 'n/a' : ms(x));
  console.log(
    table(
      [
        'recipients',
        'ours mean',
        'ours p50',
        'gpg mean',
        'gpg p50',
        'sq mean',
        'sq p50',
        'vs gpg (mean)',
        'vs sq (mean)',
      ],
      encryption.map((e) => [
        String(e.recipients),
        ms(e.ours.mean),
        ms(e.ours.p50),
        ms(e.gpg.mean),
        ms(e.gpg.p50),
        sqCell(e.sq?.mean),
        sqCell(e.sq?.p50),
        `${(e.gpg.mean / e.ours.mean).toFixed(1)}×`,
        e.sq ? `${(e.sq.mean / e.ours.mean).toFixed(1)}×` : 'n/a',
      ]),
    ),
  );
  if (sqNote) console.log('\n   sq (Sequoia) is not installed: its columns are empty (apt-get install sq).');
  const fewest = encryption[0];
  const most = encryption[encryption.length - 1];
  if (fewest && most && most.recipients > fewest.recipients) {
    const added = most.recipients - fewest.recipients;
    const marginal = (pick: (e: EncryptionResult) => number | undefined) => {
      const [a, b] = [pick(fewest), pick(most)];
      return a === undefined || b === undefined ? undefined : (b - a) / added;
    };
    const ours = marginal((e) => e.ours.p50)!;
    const describe = (x: number | undefined | null) => (x === undefined || x === null ? 'n/a' : `${x.toFixed(2)} ms`);
    console.log(
      `\n   each added recipient (p50, ${fewest.recipients} → ${most.recipients}): ours ${describe(ours)}, ` +
        `gpg ${describe(marginal((e) => e.gpg.p50))}, sq ${describe(marginal((e) => e.sq?.p50))}` +
        `  (target ≤ ${PER_RECIPIENT_TARGET} ms)  ${verdict(ours <= PER_RECIPIENT_TARGET)}`,
    );
    // CPU time is what the wall-clock figure comes to on an idle machine; under load it is the steadier one.
    const cpu = (pick: (e: EncryptionResult) => number | null | undefined) => marginal((e) => pick(e) ?? undefined);
    const oursCpu = cpu((e) => e.ours.cpu);
    console.log(
      `   each added recipient, CPU time: ours ${describe(oursCpu)}, gpg ${describe(cpu((e) => e.gpg.cpu))}, ` +
        `sq ${describe(cpu((e) => e.sq?.cpu))}` +
        (oursCpu === undefined ? '' : `  ${verdict(oursCpu <= PER_RECIPIENT_TARGET)}`),
    );
  }
  const five = encryption.find((e) => e.recipients === 5);
  if (five) {
    const speedup = five.gpg.mean / five.ours.mean;
    console.log(
      `   5 recipients: ${speedup.toFixed(1)}× faster than gpg, by mean (target ≥ ${SPEEDUP_TARGET}×)  ${verdict(speedup >= SPEEDUP_TARGET)}`,
    );
    if (five.ours.cpu && five.gpg.cpu) {
      const byCpu = five.gpg.cpu / five.ours.cpu;
      console.log(
        `   5 recipients, CPU time per report: ours ${ms(five.ours.cpu)}, gpg ${ms(five.gpg.cpu)}` +
          (five.sq?.cpu ? `, sq ${ms(five.sq.cpu)}` : '') +
          ` → ${byCpu.toFixed(1)}× less than gpg  ${verdict(byCpu >= SPEEDUP_TARGET)}`,
      );
    }
  }
}

/** Where each server's CPU went while measured (the children wrote their profiles on exit). */
export function printProfiles(
  servers: Record<'ours' | 'baseline', ServerProcess>,
  window: ProfileWindow,
  requests: number,
) {
  const dir = process.env.BENCH_CPU_PROF_DIR ?? process.cwd();
  console.log(`\nA. CPU profiles (${dir}), measured rounds only`);
  for (const name of ['ours', 'baseline'] as const)
    printProfileSummary(name, summarizeProfiles(dir, servers[name].pid, window), requests);
}
