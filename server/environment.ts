// The settings the server and the CLI both read: the process environment over an env file
// (`intake.env` in the working directory, or INTAKE_ENV_FILE), so that a command typed in another
// terminal sees the configuration the running server uses.
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config';

export const ENV_FILE_NAME = 'intake.env';

type Env = Record<string, string | undefined>;

export interface Environment {
  /** What loadConfig reads: the file's values, overridden by the process environment. */
  readonly values: Env;
  /** The env file that was read, or null when there is none. */
  readonly file: string | null;
  /** Where one setting came from, for the CLI to say which values it is using. */
  sourceOf(name: string): 'environment' | 'file' | 'default';
}

/** Reads the env file (a missing `intake.env` is fine; a missing INTAKE_ENV_FILE is an error) under the environment. */
export function readEnvironment(processEnv: Env, cwd: string = process.cwd()): Environment {
  const named = processEnv.INTAKE_ENV_FILE;
  const file = path.resolve(cwd, named || ENV_FILE_NAME);
  let fromFile: Env = {};
  let found = false;
  try {
    fromFile = parseEnv(fs.readFileSync(file, 'utf8'));
    found = true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (named || code !== 'ENOENT')
      throw new ConfigError([`INTAKE_ENV_FILE: cannot read ${file} (${code ?? 'not a valid env file'})`]);
  }
  const values: Env = Object.assign(Object.create(null) as Env, fromFile);
  for (const [name, value] of Object.entries(processEnv)) if (value !== undefined) values[name] = value;
  return Object.freeze({
    values: Object.freeze(values),
    file: found ? file : null,
    sourceOf: (name: string) =>
      Object.hasOwn(processEnv, name) && processEnv[name] !== undefined
        ? 'environment'
        : Object.hasOwn(fromFile, name)
          ? 'file'
          : 'default',
  });
}

/** "PUBLIC_URL=https://… (from intake.env)": what a CLI command prints when a value matters to its output. */
export function describeSetting(environment: Environment, name: string, shown: string): string {
  const source = environment.sourceOf(name);
  const where =
    source === 'environment'
      ? 'from the environment'
      : source === 'file'
        ? `from ${path.basename(environment.file ?? ENV_FILE_NAME)}`
        : 'default: not set';
  return `${name}=${shown} (${where})`;
}
