// The intake key's part of the configuration: where its passphrase comes from. Read by loadConfig;
// resolved by passphrase.ts wherever the keys are unlocked (the server, its SMTP workers, the CLI).
import path from 'node:path';

/** Where the intake key's passphrase comes from. The value itself is kept out of JSON (a function). */
export type IntakePassphraseSource =
  | { readonly kind: 'env'; read(): string }
  | { readonly kind: 'file'; readonly path: string }
  /** No variable set, embedded database: made on first start, 0600, under DATA_DIR. */
  | { readonly kind: 'generated'; readonly path: string }
  /** No variable set with DATABASE_URL: the server refuses to start (see passphrase.ts). */
  | { readonly kind: 'missing' };

export interface IntakeKeyConfig {
  readonly passphrase: IntakePassphraseSource;
}

type Env = Record<string, string | undefined>;

/** Reads INTAKE_KEY_PASSPHRASE(_FILE); pushes every problem onto `problems` (loadConfig reports them together). */
export function loadIntakeKeyConfig(
  env: Env,
  base: { dataDir: string; databaseUrl: string | null },
  problems: string[],
): IntakeKeyConfig {
  const passphrase = env.INTAKE_KEY_PASSPHRASE ?? '';
  const passphraseFile = env.INTAKE_KEY_PASSPHRASE_FILE ?? '';
  let source: IntakePassphraseSource;
  if (passphrase && passphraseFile) {
    problems.push('Set INTAKE_KEY_PASSPHRASE or INTAKE_KEY_PASSPHRASE_FILE, not both');
    source = { kind: 'missing' };
  } else if (passphrase) {
    if (passphrase.length < 12) problems.push('INTAKE_KEY_PASSPHRASE must be at least 12 characters long');
    source = { kind: 'env', read: () => passphrase };
  } else if (passphraseFile) {
    source = { kind: 'file', path: path.resolve(passphraseFile) };
  } else if (base.databaseUrl === null) {
    source = { kind: 'generated', path: path.join(base.dataDir, 'intake-key.passphrase') };
  } else {
    source = { kind: 'missing' };
  }
  return Object.freeze({ passphrase: Object.freeze(source) });
}
