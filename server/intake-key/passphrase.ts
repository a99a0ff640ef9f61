// The passphrase the intake key's private half is locked under: from the environment, a file the
// operator names, or (embedded database, nothing set) a file made on first start under DATA_DIR.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { notConfigured } from '../errors';
import type { Logger } from '../log';
import type { IntakePassphraseSource } from './intake-key-config';

/** Returns the passphrase; never logs it. Logs where a generated one was written (the path only). */
export async function resolveIntakePassphrase(source: IntakePassphraseSource, log?: Logger): Promise<string> {
  switch (source.kind) {
    case 'env':
      return source.read();
    case 'file':
      return readPassphraseFile(source.path, 'INTAKE_KEY_PASSPHRASE_FILE', log);
    case 'generated':
      return generatedPassphrase(source.path, log);
    case 'missing':
      throw notConfigured(
        'The intake key needs a passphrase: with DATABASE_URL, set INTAKE_KEY_PASSPHRASE (at least 12 characters) or ' +
          'INTAKE_KEY_PASSPHRASE_FILE (a file holding it, readable only by this service). Every instance and the CLI need the same one.',
      );
  }
}

async function readPassphraseFile(file: string, variable: string, log?: Logger): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw notConfigured(
      `${variable} names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`,
    );
  }
  const passphrase = text.replace(/\r?\n$/, '');
  if (passphrase.length < 12) throw notConfigured(`The passphrase in ${file} must be at least 12 characters long.`);
  const mode = (await fs.stat(file)).mode & 0o077;
  if (mode !== 0 && log) log.warn('the intake key passphrase file is readable by other users; chmod 600 it', { file });
  return passphrase;
}

/** Reads the generated passphrase, or makes it (256 bits) with O_EXCL, so two processes starting at once agree. */
async function generatedPassphrase(file: string, log?: Logger): Promise<string> {
  const made = crypto.randomBytes(32).toString('base64url');
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `${made}\n`, { flag: 'wx', mode: 0o600 });
    log?.warn(
      'no INTAKE_KEY_PASSPHRASE was set: a passphrase for the intake key was generated; back this file up apart from the database, ' +
        'or set INTAKE_KEY_PASSPHRASE_FILE to a copy kept elsewhere',
      { file },
    );
    return made;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw notConfigured(
        `Cannot write the generated intake key passphrase to ${file} (${(error as NodeJS.ErrnoException).code}). Set INTAKE_KEY_PASSPHRASE_FILE.`,
      );
    }
    return readPassphraseFile(file, 'the generated passphrase file', log);
  }
}
