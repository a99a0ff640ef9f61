import fs from 'node:fs/promises';
import type { Command } from 'commander';
import type { MemberWithKey } from '../../db/members.queries';
import { describeKeyAlgorithms } from '../../crypto/keys';
import { badInput } from '../errors';
import { addMember, listMembers, removeMember, setMemberKey } from '../governance/members';
import type { CliContext } from './cli-context';
import { TEXT_LIMITS, decodeText } from '../text-checks';
import { withDatabase } from './with-database';

export function registerMemberCommands(program: Command, context: CliContext): void {
  const member = program
    .command('member')
    .description('Members of the project (approvers, SRT, liaisons) and their OpenPGP keys');

  member
    .command('add')
    .description('Add a member with an armored OpenPGP public key')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--email <email>', 'e-mail address (must be a user ID of the key)')
    .requiredOption('--role <role>', 'approver | srt | liaison')
    .requiredOption('--key <file>', 'armored OpenPGP public key file')
    .option('--allow-uid-mismatch', 'accept a key none of whose user IDs carries the e-mail')
    .action(async (options: { name: string; email: string; role: string; key: string; allowUidMismatch?: boolean }) => {
      const armoredKey = await readKeyFile(options.key);
      const added = await withDatabase(context, (db) =>
        addMember(db, {
          name: options.name,
          email: options.email,
          role: options.role,
          armoredKey,
          allowUidMismatch: options.allowUidMismatch,
        }),
      );
      console.log(`Added ${describe(added)}`);
      if (added.role === 'srt' && !added.onSrt)
        console.log(
          'Not put on the Security Response Team: the approvers have appointed or reviewed it by decision, so they change it on /dashboard/srt.',
        );
    });

  member
    .command('list')
    .description('List members, their roles and key fingerprints')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const members = await withDatabase(context, (db) => listMembers(db));
      if (options.json) {
        const rows = members.map((m) => ({
          id: m.id,
          name: m.name,
          email: m.email,
          role: m.role,
          fingerprint: m.fingerprint,
          algorithm: describeKeyAlgorithms(m.algorithm),
          created: m.createdAt.toISOString(),
        }));
        console.log(JSON.stringify(rows, null, 2));
      } else if (members.length === 0) {
        console.log(
          'No members yet. Add one with: intake member add --name NAME --email EMAIL --role approver|srt|liaison --key FILE',
        );
      } else {
        for (const m of members) console.log(describe(m));
      }
    });

  member
    .command('remove <email>')
    .description('Remove a member; its access to every case goes with it')
    .action(async (email: string) => {
      const removed = await withDatabase(context, (db) => removeMember(db, email));
      console.log(`Removed ${removed.name} <${removed.email}>`);
    });

  member
    .command('set-key <email>')
    .description("Replace a member's public key for messages from now on")
    .requiredOption('--key <file>', 'armored OpenPGP public key file')
    .option('--allow-uid-mismatch', 'accept a key none of whose user IDs carries the e-mail')
    .action(async (email: string, options: { key: string; allowUidMismatch?: boolean }) => {
      const armoredKey = await readKeyFile(options.key);
      const updated = await withDatabase(context, (db) =>
        setMemberKey(db, email, armoredKey, { by: 'operator', allowUidMismatch: options.allowUidMismatch }),
      );
      console.log(`Updated ${describe(updated)}`);
    });
}

export async function readKeyFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw badInput(`Cannot read the key file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
  }
  // A binary key (gpg --export without --armor) is not UTF-8: say what to do rather than "malformed".
  return decodeText(bytes, `The key file ${file} (export it with gpg --armor --export)`, TEXT_LIMITS.publicKey);
}

function describe(m: MemberWithKey): string {
  return `${m.name} <${m.email}> as ${m.role}${m.onSrt ? ' (on the SRT)' : ''}, key ${m.fingerprint} (${describeKeyAlgorithms(m.algorithm)})`;
}
