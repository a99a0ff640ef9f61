import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { publicKeyUserIds } from '../../crypto/keys';
import { badInput } from '../errors';
import {
  exportIntakeKey,
  importAsIntakeKey,
  intakeIdentities,
  reissueIntakeKey,
  rotateIntakeKey,
  showIntakeKeys,
} from '../intake-key/intake-keys';
import { resolveIntakePassphrase } from '../intake-key/passphrase';
import type { CliContext } from './cli-context';
import { TEXT_LIMITS, decodeText } from '../text-checks';
import { withDatabase } from './with-database';

export function registerIntakeKeyCommands(program: Command, context: CliContext): void {
  const intakeKey = program
    .command('intake-key')
    .description(
      'The published key that mail to the intake addresses is encrypted to (fingerprint, export, import, rotation)',
    );

  intakeKey
    .command('show')
    .description('Fingerprint, user IDs and state of the intake key, and of retired keys still decrypting')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const keys = await withDatabase(context, (db) => showIntakeKeys(db));
      const rows = await Promise.all(
        keys.map(async (k) => ({
          fingerprint: k.fingerprint,
          state:
            k.retiredAt === null
              ? 'active'
              : k.hasPrivateKey
                ? 'retired, still decrypting'
                : 'retired, private key destroyed',
          created: k.createdAt.toISOString(),
          decryptsUntil: k.decryptUntil?.toISOString() ?? null,
          userIds: await publicKeyUserIds(k.publicKey),
        })),
      );
      if (options.json) return console.log(JSON.stringify(rows, null, 2));
      for (const row of rows) {
        console.log(`${row.state === 'active' ? 'intake key' : 'old key   '}  ${groups(row.fingerprint)}`);
        console.log(
          `            ${row.state}${row.decryptsUntil && row.state !== 'active' ? ` until ${row.decryptsUntil.slice(0, 10)}` : ''}, made ${row.created.slice(0, 10)}`,
        );
        for (const uid of row.userIds) console.log(`            ${uid}`);
      }
    });

  intakeKey
    .command('export')
    .description(
      'Print the intake public key (armored); with --secret, the private key locked under the intake passphrase, for gpg --import',
    )
    .option('--secret', 'export the private key (a backup; keep it offline)')
    .option('--out <file>', 'write to this file (mode 0600) instead of printing')
    .action(async (options: { secret?: boolean; out?: string }) => {
      const config = context.config();
      const passphrase = options.secret ? await resolveIntakePassphrase(config.intakeKey.passphrase) : undefined;
      const armored = await withDatabase(context, (db) =>
        exportIntakeKey(db, { secret: options.secret === true, passphrase }),
      );
      if (!options.out) {
        process.stdout.write(armored);
        return;
      }
      await fs.writeFile(options.out, armored, { mode: 0o600 });
      console.log(`Wrote ${options.out}`);
    });

  intakeKey
    .command('import <file>')
    .description(
      'Make an existing armored private key the intake key; the current one keeps decrypting for the grace period',
    )
    .option('--key-passphrase-file <file>', 'file holding the passphrase that protects the key being imported')
    .option('--grace-days <days>', 'days the replaced key keeps decrypting incoming mail', '90')
    .action(async (file: string, options: { keyPassphraseFile?: string; graceDays: string }) => {
      const config = context.config();
      const passphrase = await resolveIntakePassphrase(config.intakeKey.passphrase);
      const armoredKey = await readText(file);
      const keyPassphrase = options.keyPassphraseFile
        ? (await readText(options.keyPassphraseFile)).replace(/\r?\n$/, '')
        : undefined;
      const result = await withDatabase(context, (db) =>
        importAsIntakeKey(db, { armoredKey, keyPassphrase, passphrase, graceDays: days(options.graceDays) }),
      );
      report(result);
    });

  intakeKey
    .command('rotate')
    .description(
      'Make a new intake key naming the configured addresses; the old one keeps decrypting for the grace period',
    )
    .option('--grace-days <days>', 'days the old key keeps decrypting incoming mail', '90')
    .action(async (options: { graceDays: string }) => {
      const config = context.config();
      printAddresses(context);
      const passphrase = await resolveIntakePassphrase(config.intakeKey.passphrase);
      const result = await withDatabase(context, (db) =>
        rotateIntakeKey(db, { identities: intakeIdentities(config), passphrase, graceDays: days(options.graceDays) }),
      );
      report(result);
    });

  intakeKey
    .command('reissue')
    .description(
      'Replace an intake key whose fingerprint was never published (e.g. made before MAIL_DOMAIN was set); the old key stops decrypting at once',
    )
    .option(
      '--force',
      'also when mail has arrived since the key was made (only if you are sure nobody has its fingerprint)',
    )
    .action(async (options: { force?: boolean }) => {
      const config = context.config();
      printAddresses(context);
      const passphrase = await resolveIntakePassphrase(config.intakeKey.passphrase);
      const result = await withDatabase(context, (db) =>
        reissueIntakeKey(db, { identities: intakeIdentities(config), passphrase, force: options.force === true }),
      );
      console.log(`New intake key ${groups(result.fingerprint)}`);
      if (result.retired) console.log(`Old key ${groups(result.retired)} is destroyed and decrypts nothing.`);
      console.log(
        'Running servers pick it up within seconds (they hear of it from PostgreSQL). Now publish this fingerprint (README, website).',
      );
    });
}

/** The addresses a new key will name, and the setting they come from: the CLI must use what the server uses. */
function printAddresses(context: CliContext): void {
  const { mail } = context.config();
  console.log(
    `Intake addresses: ${[...mail.addresses.security, ...mail.addresses.coc].join(', ')}; ${context.setting('MAIL_DOMAIN', mail.domain)}`,
  );
  if (!mail.domainConfigured)
    console.log(
      'MAIL_DOMAIN is not set: the key would name the host of PUBLIC_URL. Set MAIL_DOMAIN first (intake.env).',
    );
}

function report(result: { fingerprint: string; retired: string | null; decryptUntil: Date }): void {
  console.log(`New intake key ${groups(result.fingerprint)}`);
  if (result.retired)
    console.log(
      `Old key ${groups(result.retired)} decrypts incoming mail until ${result.decryptUntil.toISOString().slice(0, 10)}.`,
    );
  console.log(
    'Running servers pick it up within seconds (they hear of it from PostgreSQL). Publish the new fingerprint where you published the old one (README, website).',
  );
}

function groups(fingerprint: string): string {
  return fingerprint.replace(/(.{4})/g, '$1 ').trim();
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw badInput(`--grace-days must be a whole number (got "${value}").`);
  return n;
}

async function readText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw badInput(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
  }
  return decodeText(bytes, file, TEXT_LIMITS.publicKey);
}
