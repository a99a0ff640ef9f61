// Where an e-mail report's time goes (issue 13 §3.3): the stages one intake worker runs per mail,
// timed one mail at a time in this process on the bench's mails, keys and database — opening the
// mail (decrypting with the intake key, MIME parsing), the report document, the reporter key pair,
// encrypting to the readers and the reporter, and the rest of the submission (routing, the case's one
// statement and its commit), which is the whole submission less its key pair and encryption.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import type { PrivateKey } from '../../crypto/keys';
import { createFastReporterKeyNatively } from '../../crypto/reporter-key-native';
import { encryptSplitNatively } from '../../crypto/native-split';
import { generateReceipt } from '../../crypto/receipt';
import { routedReaders, submitPlaintextReport } from '../../server/intake/reports';
import { openMail } from '../../server/smtp/open-mail';
import { reportFromMail } from '../../server/smtp/report-document';
import { ms, table } from './stats';

export interface StageFigures {
  mails: number;
  /** Mean milliseconds per mail, by stage. */
  stages: [name: string, ms: number][];
}

export async function measureMailStages(
  db: Kysely<Database>,
  mails: Buffer[],
  intakeKeys: PrivateKey[],
  count: number,
): Promise<StageFigures> {
  const totals = new Map<string, number>();
  const time = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const started = process.hrtime.bigint();
    const result = await work();
    totals.set(name, (totals.get(name) ?? 0) + Number(process.hrtime.bigint() - started) / 1e6);
    return result;
  };
  const readers = await routedReaders(db, 'security', [], true);
  for (let i = 0; i < count; i++) {
    const opened = await time('open (decrypt with the intake key, parse MIME)', () =>
      openMail(mails[i % mails.length]!, intakeKeys),
    );
    const report = await time('report document', () =>
      reportFromMail(opened, {
        kind: 'security',
        sender: 'finder@example.net',
        recipients: ['security@example.org'],
        receivedAt: new Date(),
        tls: false,
      }),
    );
    const reporter = await time('reporter key pair (fast lock)', () =>
      createFastReporterKeyNatively(generateReceipt()),
    );
    await time(`encrypt to ${readers.length} readers + the reporter`, () =>
      encryptSplitNatively({
        data: report.document,
        recipients: [...readers.map((r) => r.publicKey), reporter.parsedPublicKey],
      }),
    );
    await time('whole submission', () =>
      submitPlaintextReport(
        db,
        { kind: 'security', involvedIds: [], document: report.document, attachments: [] },
        { channel: 'email', reporterKeyLock: 'fast' },
      ),
    );
  }
  const mean = (name: string) => (totals.get(name) ?? 0) / count;
  const stages = [...totals.keys()].filter((name) => name !== 'whole submission').map((name) => [name, mean(name)]);
  const crypto = mean('reporter key pair (fast lock)') + mean(`encrypt to ${readers.length} readers + the reporter`);
  stages.push([
    'routing, the case statement and its commit (whole submission less the two above)',
    mean('whole submission') - crypto,
  ]);
  return { mails: count, stages: stages as [string, number][] };
}

export function printMailStages(figures: StageFigures): void {
  const total = figures.stages.reduce((sum, [, x]) => sum + x, 0);
  console.log(`\n   where a mail's time goes (one worker's stages, one mail at a time, mean of ${figures.mails}):\n`);
  console.log(
    table(
      ['stage', 'per mail', 'share'],
      figures.stages.map(([name, x]) => [name, ms(x), `${((x / total) * 100).toFixed(0)}%`]),
    ),
  );
}
