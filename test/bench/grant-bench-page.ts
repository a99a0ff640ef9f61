// The page script of bench section I, bundled like the dashboard's (OpenPGP.js lightweight): the
// same re-wrapping the dashboard runs (server/browser/grants.ts), timed in the browser.
import { readArmoredPrivateKey } from '../../crypto/member-key';
import { rewrapForGrantee } from '../../server/browser/grants';

interface BenchInput {
  privateKey: string;
  task: Parameters<typeof rewrapForGrantee>[1];
}

(window as unknown as { runGrantBench: (input: BenchInput) => Promise<unknown> }).runGrantBench = async (input) => {
  const key = await readArmoredPrivateKey(input.privateKey);
  const started = performance.now();
  const packets = await rewrapForGrantee(key, input.task);
  const body = JSON.stringify({ grantee: input.task.grantee, packets });
  return { ms: performance.now() - started, packets, bytes: body.length };
};
