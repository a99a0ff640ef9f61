import { startEmbeddedPostgres } from './embedded';

/**
 * The database's URL without migrating it: a backup reads the schema as it is, and a restore builds
 * it itself. The embedded cluster is started (or attached to) as openDatabase does.
 */
export async function openDatabaseUrl(options: {
  databaseUrl: string | null;
  dataDir: string;
}): Promise<{ url: string; close(): Promise<void> }> {
  if (options.databaseUrl !== null) return { url: options.databaseUrl, close: async () => undefined };
  const embedded = await startEmbeddedPostgres(options.dataDir);
  return { url: embedded.url, close: () => embedded.stop() };
}
