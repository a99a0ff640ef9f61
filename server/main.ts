import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../db/connect';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { readEnvironment } from './environment';
import { buildAssets } from './http/assets';
import { guardProcess } from './http/request-guard';
import { createLogger } from './log';
import { governanceWarnings } from './governance/members';
import { seedCharter } from './governance/charter-seed';
import { followCharterChanges } from './governance/charter-cache';
import { startBackgroundWork } from './background';
import { startRetentionJob } from './retention/retention-job';
import { DomainError } from './errors';
import { unlockIntakeKeys } from './intake-key/keyring';
import { followIntakeKeyChanges } from './intake-key/key-changes';
import { startMailService } from './mail/mail-service';
import { startSmtpIntake } from './smtp/start-intake';

const log = createLogger();

// What is running, closed in reverse order on SIGTERM/SIGINT — also when a signal comes mid-start.
const running: { name: string; close(): Promise<void> | void }[] = [];
let stopping = false;

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info('stopping', { signal });
  for (const part of running.reverse()) {
    await Promise.resolve(part.close()).catch((error: unknown) => log.warn(`stopping ${part.name} failed`, { error }));
  }
  process.exit(0);
}

async function main(): Promise<void> {
  guardProcess(log);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const environment = readEnvironment(process.env);
  const config = loadConfig(environment.values);
  log.info('settings', { file: environment.file ?? 'none (the environment only)' });
  const database = await openDatabase(config);
  running.push({ name: 'the database', close: () => database.close() });
  for (const warning of await governanceWarnings(database.db)) log.warn(warning);
  await seedCharter(database.db, config, environment.values, log);
  await buildAssets();
  // The intake key, outbound mail (pg-boss on the same database), and the SMTP intake, which tells
  // readers through mail's notifications and answers reporters through mail's acknowledgements.
  const intakeKeys = await unlockIntakeKeys({ db: database.db, config, log });
  const mail = await startMailService({ config, database, log });
  running.push({ name: 'mail', close: () => mail.stop() });
  const events = mail.events;
  const smtp = await startSmtpIntake({ config, database, intakeKeys, events, acknowledge: mail.acknowledge, log });
  running.push({ name: 'the SMTP intake', close: () => smtp.close() });
  // A rotation through another instance or the CLI reaches this one within a moment (LISTEN/NOTIFY).
  const charterChanges = followCharterChanges({ url: database.url, log });
  running.push({ name: 'the charter listener', close: () => charterChanges.close() });
  const keyChanges = followIntakeKeyChanges({ url: database.url, reload: () => smtp.refreshKeys(), log });
  running.push({ name: 'the intake-key listener', close: () => keyChanges.close() });
  const app = await createApp({
    db: database.db,
    config,
    log,
    events,
    intakeKeys: intakeKeys.keyring,
    mailStatus: (memberId) => mail.status(memberId),
  });
  const retention = await startRetentionJob(mail.boss, { db: database.db, config, events, log });
  const background = startBackgroundWork({ db: database.db, events, log, retention });
  running.push({ name: 'background work', close: () => background.stop() });
  const server: Server = app.listen(config.port, config.host, () => {
    log.info('listening', {
      url: config.publicUrl,
      host: config.host,
      port: (server.address() as AddressInfo).port,
      database: config.databaseUrl ? 'external' : `embedded under ${config.dataDir}`,
    });
  });
  running.push({
    name: 'the web server',
    close: () => {
      server.close();
      server.closeIdleConnections();
    },
  });
  if (stopping) await stop('SIGTERM');
}

main().catch(async (error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else if (error instanceof DomainError && error.kind === 'not-configured')
    process.stderr.write(`Cannot start: ${error.message}\n`);
  else log.error('could not start', { error });
  for (const part of running.reverse()) await Promise.resolve(part.close()).catch(() => undefined);
  process.exit(1);
});
