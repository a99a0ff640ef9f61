import type { Command } from 'commander';
import { verifyAuditChain, type AuditVerification } from '../audit/audit-log';
import type { CliContext } from './cli-context';
import { withDatabase } from './with-database';

export function registerAuditCommands(program: Command, context: CliContext): void {
  const audit = program.command('audit').description('The append-only, hash-chained audit log');

  audit
    .command('verify')
    .description('Check every row of the audit chain; name the first broken row and exit 1 if any')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const result = await withDatabase(context, (db) => verifyAuditChain(db));
      if (options.json) console.log(JSON.stringify(result, null, 2));
      else if (result.ok) printIntact(result);
      else printBroken(result);
      if (!result.ok) process.exitCode = 1;
    });
}

function printIntact(result: AuditVerification): void {
  console.log(`audit chain intact: ${result.rows} rows`);
  // Recording the head elsewhere is what detects a rewrite of the whole tail by someone with database access.
  if (result.headId) console.log(`head: row ${result.headId}, sha256 ${result.headHash}`);
}

function printBroken(result: AuditVerification): void {
  const where = result.caseId ? ` (case ${result.caseReference ?? `${result.caseId}, no longer in the database`})` : '';
  console.log(`audit chain BROKEN at row ${result.firstBrokenId}${where}: ${result.reason}`);
  console.log(`${result.rows} rows before it are intact.`);
}
