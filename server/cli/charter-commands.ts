// `intake charter show / set` (issue 11 §3): the operator sets the charter on a new installation,
// before any approver has signed in; afterwards the approvers change it by decision and the CLI shows it.
import type { Command } from 'commander';
import { setCharterByOperator } from '../governance/charter-operator';
import { charterEntries, HOW_WORDS, THRESHOLD_WORDS } from '../governance/charter-view';
import type { CliContext } from './cli-context';
import { withDatabase } from './with-database';

export function registerCharterCommands(program: Command, context: CliContext): void {
  const charter = program
    .command('charter')
    .description('The settings of the governance (response times, decision periods, retention, the CNCF committee)');

  charter
    .command('show')
    .description('Show every setting: its value, since when, and how it got it (first value, operator, decision)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const entries = await withDatabase(context, (db) => charterEntries(db, context.config()));
      if (options.json) {
        const shown = entries.map((e) => ({
          key: e.key,
          value: e.raw,
          since: e.since?.toISOString() ?? null,
          how: e.how,
          proposalId: e.proposalId,
          threshold: e.threshold,
        }));
        return console.log(JSON.stringify(shown, null, 2));
      }
      for (const e of entries) {
        const since = e.since ? ` since ${e.since.toISOString()}` : '';
        const decision = e.proposalId ? ` (proposal ${e.proposalId})` : '';
        console.log(`${e.key} = ${e.value}`);
        console.log(
          `  ${e.label}; ${HOW_WORDS[e.how]}${decision}${since}; a change needs ${THRESHOLD_WORDS[e.threshold]}`,
        );
      }
    });

  charter
    .command('set')
    .description(
      'Set one setting on a new installation (refused once an approver has signed in: then it takes a decision)',
    )
    .argument('<key>', 'the setting, as `intake charter show` names it')
    .argument('<value>', 'a whole number, or yes/no')
    .action(async (key: string, value: string) => {
      const shown = await withDatabase(context, (db) => setCharterByOperator(db, key, value));
      console.log(`${key} = ${shown}`);
    });
}
