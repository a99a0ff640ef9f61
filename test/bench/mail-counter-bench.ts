// F. A member's queued-mail counter on the dashboard (issue 7: a member's pages change only through
// cases that member may read — timings included): the server time of waitingNotificationsFor(carol)
// while pg-boss's queue holds none, then 10,000, then 100,000 notifications to the other approvers
// about CoC cases that name carol. Flat figures: how long her counter takes tells her nothing of
// them. The global count `intake mail status` shows (the operator's) is timed beside it.
// Alone: node --import tsx test/bench/mail-counter-bench.ts (runs: BENCH_MAIL_RUNS).
import { sql } from 'kysely';
import { openDatabase } from '../../db/connect';
import { indexNotificationsByMember, mailQueueCounts, waitingNotificationsFor } from '../../db/mail-queue.queries';
import { createLogger } from '../../server/log';
import { SEND_QUEUE, startMailQueue } from '../../server/mail/queue';
import { startBenchDatabase, type BenchDatabase } from './bench-database';
import { seedCases } from './case-list-seed';
import { ms, table, timeEach } from './stats';

const DATABASE_NAME = 'mail_counter_bench';
const HIDDEN_JOBS = [0, 10_000, 100_000];
/** The notifications to carol herself, about cases she reads: her counter says this all along. */
const OWN_JOBS = 5;

export interface MailCounterFigures {
  hiddenJobs: number;
  counter: number;
  p50: number;
  p99: number;
  globalP50: number;
}

export async function runMailCounterBench(
  database: BenchDatabase,
  options: { runs: number; log: (message: string) => void },
): Promise<MailCounterFigures[]> {
  await sql`DROP DATABASE IF EXISTS ${sql.id(DATABASE_NAME)}`.execute(database.handle.db);
  await sql`CREATE DATABASE ${sql.id(DATABASE_NAME)}`.execute(database.handle.db);
  const url = new URL(database.url);
  url.pathname = `/${DATABASE_NAME}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: database.dir });
  try {
    const { members } = await seedCases(handle.db, 20_000);
    // pg-boss installs its schema and the queue; the index is the app's (startMailService makes it).
    const queue = await startMailQueue(
      url.toString(),
      createLogger(() => undefined),
    );
    await queue.stop();
    await indexNotificationsByMember(handle.db);
    const carol = members.carol!;
    await sql`
      INSERT INTO pgboss.job (name, data)
      SELECT ${SEND_QUEUE}, jsonb_build_object('event', 'case-routed', 'caseId', case_id, 'memberId', member_id)
      FROM case_readers WHERE member_id = ${carol}::uuid LIMIT ${OWN_JOBS}`.execute(handle.db);
    // The reader rows of the cases carol does not read (CoC cases that name her, security cases).
    await sql`
      CREATE TABLE hidden_readers AS
      SELECT row_number() OVER (ORDER BY r.case_id, r.member_id) - 1 AS k, r.case_id, r.member_id FROM case_readers AS r
      WHERE NOT EXISTS (SELECT 1 FROM case_readers AS mine WHERE mine.case_id = r.case_id AND mine.member_id = ${carol}::uuid)`.execute(
      handle.db,
    );
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM hidden_readers`.execute(handle.db);
    const hiddenReaders = Number(rows[0]!.n);
    const figures: MailCounterFigures[] = [];
    let added = 0;
    for (const target of HIDDEN_JOBS) {
      // Notifications to the readers of those cases, round-robin over them.
      await sql`
        INSERT INTO pgboss.job (name, data)
        SELECT ${SEND_QUEUE}, jsonb_build_object('event', 'new-message', 'caseId', h.case_id, 'memberId', h.member_id, 'messageId', gen_random_uuid())
        FROM generate_series(${added + 1}::int, ${target}::int) AS i JOIN hidden_readers AS h ON h.k = i % ${hiddenReaders}::int`.execute(
        handle.db,
      );
      added = target;
      await sql`ANALYZE pgboss.job`.execute(handle.db);
      const counter = await waitingNotificationsFor(handle.db, SEND_QUEUE, carol);
      const mine = await timeEach(() => waitingNotificationsFor(handle.db, SEND_QUEUE, carol), options.runs, 5);
      const global = await timeEach(
        () => mailQueueCounts(handle.db, SEND_QUEUE),
        Math.max(5, Math.floor(options.runs / 5)),
        1,
      );
      figures.push({ hiddenJobs: target, counter, p50: mine.p50, p99: mine.p99, globalP50: global.p50 });
      options.log(`   ${target.toLocaleString('en')} hidden notifications queued: carol's counter says ${counter}`);
    }
    return figures;
  } finally {
    await handle.close();
  }
}

export function printMailCounterReport(figures: MailCounterFigures[]): void {
  console.log(
    `\nF. A member's queued-mail counter (carol, ${OWN_JOBS} notifications to her) while the queue fills with notifications about cases she may not read\n`,
  );
  console.log(
    table(
      ['hidden notifications', "carol's counter", 'p50', 'p99', 'global count p50 (CLI only)'],
      figures.map((f) => [f.hiddenJobs.toLocaleString('en'), String(f.counter), ms(f.p50), ms(f.p99), ms(f.globalP50)]),
    ),
  );
  const first = figures[0]!;
  const last = figures.at(-1)!;
  console.log(
    `\n   counter unchanged: ${figures.every((f) => f.counter === first.counter) ? 'yes' : 'NO'}; ` +
      `p50 at ${last.hiddenJobs.toLocaleString('en')} hidden / at none = ${(last.p50 / first.p50).toFixed(2)}×`,
  );
}

if (require.main === module) {
  void (async () => {
    const database = await startBenchDatabase();
    try {
      printMailCounterReport(
        await runMailCounterBench(database, {
          runs: Number(process.env.BENCH_MAIL_RUNS ?? 200),
          log: (m) => console.log(m),
        }),
      );
    } finally {
      await database.dispose();
    }
  })().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
