import path from 'node:path';
import type { Command } from 'commander';
import { openDatabaseUrl } from '../../db/database-url';
import { createBackup } from '../backup/backup';
import type { BackupTrailer } from '../backup/backup-format';
import { checkBackupFile, restoreBackup } from '../backup/restore';
import type { CliContext } from './cli-context';

export function registerBackupCommands(program: Command, context: CliContext): void {
  program
    .command('backup')
    .description('Write a consistent backup of the whole database (gzip, mode 0600) to a file')
    .requiredOption('--out <file>', 'the backup file to write (written as FILE.tmp, then renamed)')
    .action(async (options: { out: string }) => {
      const result = await withDatabaseUrl(context, (url) => createBackup(url, path.resolve(options.out)));
      console.log(`backup written: ${result.file} (${describe(result.trailer)}, ${megabytes(result.bytes)})`);
      console.log(`schema: ${result.header.migrations.at(-1) ?? 'none'}; intake ${result.header.app.version}`);
      // The file holds the intake key locked under the passphrase: the two together open every mail.
      console.error('Keep INTAKE_KEY_PASSPHRASE apart from this file: never in the same place or the same backup.');
    });

  program
    .command('restore <file>')
    .description('Restore a backup into an empty installation (a new DATA_DIR, or an empty database at DATABASE_URL)')
    .option('--check', 'only read the file through and verify every checksum; change no database')
    .action(async (file: string, options: { check?: boolean }) => {
      if (options.check) {
        const { header, trailer } = await checkBackupFile(file);
        console.log(`backup intact: ${describe(trailer)}, made ${header.createdAt} by intake ${header.app.version}`);
        return;
      }
      const result = await withDatabaseUrl(context, (url) => restoreBackup(url, file));
      console.log(
        `restored: ${describe(result.trailer)}, made ${result.header.createdAt} by intake ${result.header.app.version}`,
      );
      if (result.migratedUp.length > 0) console.log(`then migrated up: ${result.migratedUp.join(', ')}`);
      console.log('Start the server with the INTAKE_KEY_PASSPHRASE of the installation this backup came from.');
    });
}

async function withDatabaseUrl<T>(context: CliContext, run: (url: string) => Promise<T>): Promise<T> {
  const config = context.config();
  const handle = await openDatabaseUrl({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await run(handle.url);
  } finally {
    await handle.close();
  }
}

function describe(trailer: BackupTrailer): string {
  return `${trailer.tables.length} tables, ${trailer.rows} rows`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
