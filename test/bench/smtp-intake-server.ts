// Child process: the real intake key, outbound mail (pg-boss queue) and SMTP intake against the
// bench database, wired as `npm start` wires them (../helpers/mail-instance.ts); reports the SMTP port.
import { createKysely } from '../../db/connect';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { startMailInstance } from '../helpers/mail-instance';
import { BENCH_MAIL_DOMAIN, BENCH_PASSPHRASE } from './smtp-bench-settings';
import { serveChild } from './server-process';

serveChild(async ({ databaseUrl, dataDir }) => {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    MAIL_DOMAIN: BENCH_MAIL_DOMAIN,
    SMTP_PORT: '0',
    SMTP_HOST: '127.0.0.1',
    SMTP_RATE_LIMIT: '1000000',
    INTAKE_KEY_PASSPHRASE: BENCH_PASSPHRASE,
    // Worker threads: the default (one per core, at most four) unless BENCH_SMTP_WORKERS says otherwise.
    SMTP_WORKERS: process.env.BENCH_SMTP_WORKERS,
  });
  const db = createKysely(databaseUrl, 10);
  // Only warnings and errors: the per-mail lines would measure the terminal, not the intake.
  const log = createLogger((line) => {
    if (!line.includes('"level":"info"')) process.stderr.write(line);
  });
  const instance = await startMailInstance({ config, database: { db, url: databaseUrl }, log });
  return {
    port: instance.smtp.port!,
    close: async () => {
      await instance.stop();
      await db.destroy();
    },
  };
});
