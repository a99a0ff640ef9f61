import type { Command } from 'commander';
import { badInput } from '../errors';
import { listDueCases } from '../retention/retention-rules';
import type { CliContext } from './cli-context';
import { withDatabase } from './with-database';

export function registerRetentionCommands(program: Command, context: CliContext): void {
  const retention = program
    .command('retention')
    .description('Retention of closed cases: what is due for deletion (the deletions themselves run in the server)');

  retention
    .command('due')
    .description(
      'List the cases whose content is due for deletion (reference, kind, date, held); unheld ones due now go at the next run',
    )
    .option('--within <days>', 'also list what falls due within this many days', '0')
    .option('--json', 'machine-readable output')
    .action(async (options: { within: string; json?: boolean }) => {
      if (!/^\d{1,5}$/.test(options.within)) throw badInput('--within takes a whole number of days (0 to 99999).');
      const rows = await withDatabase(context, (db) =>
        listDueCases(db, context.config(), new Date(), Number(options.within)),
      );
      const plain = rows.map((r) => ({
        reference: r.reference,
        kind: r.kind,
        due: r.deleteOn.toISOString(),
        held: r.held,
      }));
      if (options.json) return void console.log(JSON.stringify(plain, null, 2));
      if (plain.length === 0) return void console.log('Nothing is due for deletion.');
      const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd([20, 9, 26][i]!) : c)).join(' ');
      console.log(line(['REFERENCE', 'KIND', 'DUE', 'HELD']));
      for (const r of plain) console.log(line([r.reference, r.kind, r.due, r.held ? 'held' : 'no']));
    });
}
