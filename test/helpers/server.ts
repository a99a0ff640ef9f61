// The real express app on a real socket, against a test database, with its log captured.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { createApp, type AppDeps } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { testArgon2Cost } from './keys';

export interface TestServer {
  url: string;
  /** Every line the app logged. */
  logLines: string[];
  close(): Promise<void>;
}

/** `env` sets the config; `deps` adds what the app may be given (a clock, the mail status, …). */
export async function startTestServer(
  db: Kysely<Database>,
  env: Record<string, string> = {},
  deps: Partial<Omit<AppDeps, 'db' | 'config' | 'log'>> = {},
): Promise<TestServer> {
  const config = loadConfig({ DATA_DIR: '/nonexistent', ...env });
  const logLines: string[] = [];
  const app = await createApp({
    db,
    config,
    log: createLogger((line) => logLines.push(line)),
    argon2: testArgon2Cost,
    ...deps,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logLines,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
