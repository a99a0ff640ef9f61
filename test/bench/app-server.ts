// Child process: our real express app (server/app.ts) on 127.0.0.1, against the bench database.
import type { AddressInfo } from 'node:net';
import { openDatabase } from '../../db/connect';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { serveChild } from './server-process';

serveChild(async ({ databaseUrl, dataDir, env }) => {
  // 100000 is the most loadConfig accepts; the bench sends far fewer submissions than that.
  const config = loadConfig({
    ...process.env,
    SUBMISSION_RATE_LIMIT: '100000',
    ...env,
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
  });
  const handle = await openDatabase({ databaseUrl, dataDir });
  const app = await createApp({ db: handle.db, config, log: createLogger() });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handle.close();
    },
  };
});
