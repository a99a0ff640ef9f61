// The operator's CLI as a subprocess (`node server/cli/intake.js`), as an operator runs it.
import path from 'node:path';
import { runProcess, type ProcessResult } from './run-process';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'server', 'cli', 'intake.js');

/** Runs `intake ARGS` with these settings over the test process's environment, from the repository (or `cwd`). */
export function runIntakeCli(
  args: readonly string[],
  settings: Record<string, string>,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProcessResult> {
  return runProcess(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...(options.env ?? process.env), ...settings },
    timeoutMs: 60_000,
  });
}
