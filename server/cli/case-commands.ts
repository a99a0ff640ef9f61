import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { exportCaseForMember, listCases } from '../cases/cases';
import type { CliContext } from './cli-context';
import { parseCaseReference } from '../cases/case-reference';
import { withDatabase } from './with-database';

export function registerCaseCommands(program: Command, context: CliContext): void {
  const cases = program
    .command('case')
    .description('Cases: content-free listing, and export of encrypted messages for one member');

  cases
    .command('list')
    .description('List cases (reference, kind, status, channel, created); never any content')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(context, (db) => listCases(db));
      const plain = rows.map((c) => ({
        reference: c.reference,
        kind: c.kind,
        status: c.status,
        channel: c.channel,
        created: c.createdAt.toISOString(),
      }));
      if (options.json) console.log(JSON.stringify(plain, null, 2));
      else if (plain.length === 0) console.log('No cases yet.');
      else for (const c of plain) console.log(`${c.reference}\t${c.kind}\t${c.status}\t${c.channel}\t${c.created}`);
    });

  cases
    .command('export <reference>')
    .description('Print the armored OpenPGP messages of a case that a member can decrypt (pipe to gpg --decrypt)')
    .requiredOption('--for <email>', 'the member whose key the messages are for')
    .option('--out <dir>', 'write one .asc file per message into this folder instead of printing them')
    .action(async (reference: string, options: { for: string; out?: string }) => {
      const messages = await withDatabase(context, (db) => exportCaseForMember(db, reference, options.for));
      if (!options.out) {
        process.stdout.write(messages.map((m) => m.armored).join('\n'));
        // gpg --decrypt reads one message per run: say how to take them one by one.
        if (messages.length > 1)
          process.stderr.write(
            `${messages.length} messages printed (${messages.map((m) => m.role).join(', ')}); gpg decrypts one at a time: use --out DIR for one file each.\n`,
          );
        return;
      }
      await fs.mkdir(options.out, { recursive: true });
      for (const [index, message] of messages.entries()) {
        const file = path.join(
          options.out,
          `${parseCaseReference(reference) ?? reference}-${String(index + 1).padStart(2, '0')}-${message.role}.asc`,
        );
        await fs.writeFile(file, message.armored, { mode: 0o600 });
        console.log(file);
      }
    });
}
