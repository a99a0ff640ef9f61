import type { Server } from 'node:http';
import { openDatabase } from '../db/connect';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { buildAssets } from './http/assets';
import { createLogger } from './log';
import { governanceWarnings } from './members';
import { startBackgroundWork } from './background';
import { DomainError } from './errors';
import { startMailService } from './mail/mail-service';

const log = createLogger();

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const database = await openDatabase(config);
  for (const warning of await governanceWarnings(database.db)) log.warn(warning);
  await buildAssets();
  // The intake key, outbound mail (pg-boss on the same database) and the SMTP intake.
  const mail = await startMailService({ config, database, log });
  const events = mail.events;
  const app = await createApp({ db: database.db, config, log, events, intakeKeys: mail.intakeKeys });
  const background = startBackgroundWork({ db: database.db, events, log });
  const server: Server = app.listen(config.port, config.host, () => {
    log.info('listening', { url: config.publicUrl, port: config.port, database: config.databaseUrl ? 'external' : `embedded under ${config.dataDir}` });
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    background.stop();
    server.close();
    server.closeIdleConnections();
    await mail.stop();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else if (error instanceof DomainError && error.kind === 'not-configured') process.stderr.write(`Cannot start: ${error.message}\n`);
  else log.error('could not start', { error });
  process.exit(1);
});
