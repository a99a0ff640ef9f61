import type { Command } from 'commander';
import type { CommitteeKey } from '../../db/committee.queries';
import { describeKeyAlgorithms } from '../../crypto/keys';
import { committeeKey, setCommitteeKey } from '../governance/committee';
import type { CliContext } from './cli-context';
import { readKeyFile } from './member-commands';
import { withDatabase } from './with-database';

export function registerCommitteeCommands(program: Command, context: CliContext): void {
  const committee = program
    .command('committee')
    .description("The CNCF Code of Conduct Committee's address and OpenPGP key, for referrals");

  committee
    .command('set')
    .description(
      "Set (or replace) the committee's address and armored public key, on a new installation (before any approver has signed in; afterwards it takes a decision); the old key is retired",
    )
    .requiredOption('--email <email>', "the committee's address (must be a user ID of the key)")
    .requiredOption('--key <file>', 'armored OpenPGP public key file')
    .option('--allow-uid-mismatch', 'accept a key none of whose user IDs carries the e-mail')
    .action(async (options: { email: string; key: string; allowUidMismatch?: boolean }) => {
      const armoredKey = await readKeyFile(options.key);
      const key = await withDatabase(context, (db) =>
        setCommitteeKey(
          db,
          { email: options.email, armoredKey, allowUidMismatch: options.allowUidMismatch },
          { onlyBeforeGovernance: true },
        ),
      );
      console.log(`Committee key set: ${describe(key)}`);
    });

  committee
    .command('show')
    .description("Show the committee's address and key on file")
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const key = await withDatabase(context, (db) => committeeKey(db));
      if (options.json) {
        console.log(
          JSON.stringify(
            key
              ? {
                  email: key.email,
                  fingerprint: key.fingerprint,
                  algorithm: describeKeyAlgorithms(key.algorithm),
                  set: key.createdAt.toISOString(),
                }
              : null,
            null,
            2,
          ),
        );
      } else if (!key) {
        console.log('No committee key is set. Set one with: intake committee set --email ADDRESS --key FILE');
      } else console.log(describe(key));
    });
}

function describe(key: CommitteeKey): string {
  return `<${key.email}>, key ${key.fingerprint} (${describeKeyAlgorithms(key.algorithm)}), set ${key.createdAt.toISOString()}`;
}
