// The SMTP intake alone in a process of its own (run with `node -r tsx/cjs`), so that a test can
// see it exit. It installs no handler for uncaught errors: one would end it, as it would end
// `npm start`. Reads INTAKE_CHILD_DATABASE_URL (and INTAKE_CHILD_RELAY, an SMTP URL for outbound mail); prints one JSON line with its port, then serves.
import { createKysely } from '../../db/connect';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { testArgon2Cost } from './keys';
import { startMailInstance } from './mail-instance';
import { MAIL_DOMAIN, TEST_PASSPHRASE } from './mail-scenario';

async function main(): Promise<void> {
  const url = process.env.INTAKE_CHILD_DATABASE_URL!;
  const config = loadConfig({
    DATA_DIR: '/nonexistent',
    MAIL_DOMAIN,
    SMTP_PORT: '0',
    SMTP_HOST: '127.0.0.1',
    INTAKE_KEY_PASSPHRASE: TEST_PASSPHRASE,
    SMTP_WORKERS: process.env.INTAKE_CHILD_WORKERS ?? '1',
    SMTP_RATE_LIMIT: '1000000',
    SMTP_MAX_BYTES: String(2 * 1024 * 1024),
    ...(process.env.INTAKE_CHILD_RELAY ? { SMTP_URL: process.env.INTAKE_CHILD_RELAY } : {}),
  });
  const db = createKysely(url, 4);
  const log = createLogger((line) => process.stderr.write(`${line}\n`));
  const instance = await startMailInstance({
    config,
    database: { db, url },
    log,
    argon2: testArgon2Cost,
    queue: { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1 },
  });
  const key = instance.intakeKeys.current();
  process.stdout.write(
    `${JSON.stringify({ port: instance.smtp.port, armored: key.armored, fingerprint: key.fingerprint })}\n`,
  );
  process.on('SIGTERM', () => {
    void instance
      .stop()
      .then(() => db.destroy())
      .finally(() => process.exit(0));
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`intake child could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
