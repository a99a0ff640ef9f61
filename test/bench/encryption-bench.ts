// The no-JavaScript path: server-side encryption of one report, ours (OpenPGP.js, in process) against
// `gpg --encrypt` as a subprocess per report (as SecureDrop and GlobaLeaks do) and Sequoia's
// `sq encrypt` (when installed), to the same recipients.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateKey, readKey, type PublicKey } from 'openpgp';
import { messageConfig } from '../../crypto/openpgp-config';
import { encryptSplitNatively as encryptSplit } from '../../crypto/native-split';
import { fixturePublicKeys } from './bench-database';
import { childrenCpuSeconds } from './cpu-usage';
import { timeEach, type LatencySummary } from './stats';

const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Wall-clock latency, and CPU milliseconds per run (all threads, or the subprocesses): less skewed by others' load. */
export type TimedRuns = LatencySummary & { cpu: number | null };

export interface EncryptionResult {
  recipients: number;
  ours: TimedRuns;
  gpg: TimedRuns;
  /** Null when `sq` is not installed. */
  sq: TimedRuns | null;
}

interface BenchKey {
  fingerprint: string;
  armored: string;
  publicKey: PublicKey;
}

const FIXTURE_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'];

/** Measures both for each recipient count, `runs` reports each after `warmup`. */
export async function runEncryptionBench(
  text: string,
  counts: number[],
  runs: number,
  warmup: number,
): Promise<EncryptionResult[]> {
  const keys = await benchKeys(Math.max(...counts));
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'intake-bench-gnupg-'));
  try {
    await fs.chmod(home, 0o700);
    await gpg(home, ['--import'], keys.map((k) => k.armored).join('\n'));
    const withSq = await run('sq', ['--version'], '').then(
      () => true,
      () => false,
    );
    const timed = async (fn: () => Promise<unknown>, cpu: () => number | null): Promise<TimedRuns> => {
      for (let i = 0; i < warmup; i++) await fn();
      const before = cpu();
      const latency = await timeEach(fn, runs, 0);
      const after = cpu();
      return { ...latency, cpu: before === null || after === null ? null : ((after - before) * 1000) / runs };
    };
    const results: EncryptionResult[] = [];
    for (const count of counts) {
      const chosen = keys.slice(0, count);
      const certs = path.join(home, `certs-${count}.asc`);
      await fs.writeFile(certs, chosen.map((k) => k.armored).join('\n'));
      // No compression, binary, as ours and gpg's are (gpg compresses by default; text this size barely).
      const sqArgs = ['encrypt', '--binary', '--compression', 'none', '--recipient-cert', certs];
      const recipients = chosen.map((k) => k.publicKey);
      const gpgArgs = ['--trust-model', 'always', '--encrypt', ...chosen.flatMap((k) => ['-r', k.fingerprint])];
      const split = await encryptSplit({ data: text, recipients });
      if (split.sessionKeys.length !== count)
        throw new Error(`encryptSplit made ${split.sessionKeys.length} session keys, not ${count}`);
      const ours = await timed(() => encryptSplit({ data: text, recipients }), ownCpu);
      const theirs = await timed(() => gpg(home, gpgArgs, text), childrenCpuSeconds);
      const sq = withSq ? await timed(() => run('sq', sqArgs, text), childrenCpuSeconds) : null;
      results.push({ recipients: count, ours, gpg: theirs, sq });
    }
    return results;
  } finally {
    await run('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], '').catch(() => undefined);
    await fs.rm(home, { recursive: true, force: true });
  }
}

/** The five fixture members first, then as many freshly generated Curve25519 (legacy ECDH) keys as needed. */
async function benchKeys(count: number): Promise<BenchKey[]> {
  const fixtures = await fixturePublicKeys(FIXTURE_NAMES.slice(0, count));
  const keys: BenchKey[] = await Promise.all(
    fixtures.map(async ({ fingerprint, armored }) => ({
      fingerprint,
      armored,
      publicKey: (await readKey({ armoredKey: armored, config: messageConfig })) as PublicKey,
    })),
  );
  for (let i = keys.length; i < count; i++) {
    const { publicKey } = await generateKey({
      // 'curve25519' in OpenPGP.js 6 means the RFC 9580 algorithms, which GnuPG 2.2 cannot import;
      // the legacy ones are what the fixture keys (gpg-made) use.
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: `Bench Recipient ${i}`, email: `bench${i}@example.org` }],
      format: 'object',
      config: messageConfig,
    });
    keys.push({
      fingerprint: publicKey.getFingerprint().toUpperCase(),
      armored: publicKey.armor(messageConfig),
      publicKey,
    });
  }
  return keys;
}

/** gpg in batch mode against the throw-away home; resolves with its stdout (the binary message). */
function gpg(home: string, args: string[], stdin: string): Promise<Buffer> {
  return run('gpg', ['--batch', '--quiet', '--homedir', home, ...args], stdin);
}

function run(command: string, args: string[], stdin: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new Error(`${command} ${args.join(' ')} exited with ${code}: ${Buffer.concat(err).toString().slice(0, 500)}`),
        );
    });
    child.stdin.end(stdin);
  });
}
