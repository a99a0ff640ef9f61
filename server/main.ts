import type { Server } from 'node:http';
import { openDatabase } from '../db/connect';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { buildAssets } from './http/assets';
import { createLogger } from './log';
import { governanceWarnings } from './members';
import { startBackgroundWork } from './background';
import { silentCaseEvents } from './case-events';

const log = createLogger();

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const database = await openDatabase(config);
  for (const warning of await governanceWarnings(database.db)) log.warn(warning);
  await buildAssets();
  const events = silentCaseEvents;
  const app = await createApp({ db: database.db, config, log, events });
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
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else log.error('could not start', { error });
  process.exit(1);
});
