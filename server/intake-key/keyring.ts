// The intake keys one running instance holds unlocked in memory: the active key (published,
// decrypts, signs security.txt) and retired keys still in their grace period (decrypt only).
import type { Kysely } from 'kysely';
import { publishableKey, type PrivateKey } from '../../crypto/keys';
import type { Database } from '../../db/database';
import {
  destroyExpiredIntakeKeys,
  intakeKeysForDecryption,
  intakeKeysVersion,
  listIntakeKeys,
} from '../../db/intake-keys.queries';
import { DecryptionError } from '../../crypto/errors';
import { unlockIntakeKey } from '../../crypto/intake-key';
import type { Argon2Cost } from '../../crypto/openpgp-config';
import { notConfigured } from '../errors';
import type { Logger } from '../log';
import { createIntakeKeyIfNone, intakeIdentities } from './intake-keys';
import { resolveIntakePassphrase } from './passphrase';
import type { Config } from '../config';

/** The published half of the active intake key. */
export interface PublishedIntakeKey {
  fingerprint: string;
  armored: string;
  /** The transferable public key in binary, as WKD serves it. */
  binary: Uint8Array;
  userIds: string[];
}

const RECHECK_MS = 30_000;

export class IntakeKeyring {
  private published!: PublishedIntakeKey;
  private signing!: PrivateKey;
  private decrypting: PrivateKey[] = [];
  private version = '';
  private checkedAt = 0;
  private readonly unlocked = new Map<string, PrivateKey>();

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly passphrase: string,
    private readonly log: Logger,
  ) {}

  /**
   * Makes the intake key on first start (one instance wins; the others read it), unlocks what may
   * decrypt, and warns when the key does not name every configured intake address.
   */
  static async open(deps: {
    db: Kysely<Database>;
    config: Config;
    passphrase: string;
    log: Logger;
    argon2?: Argon2Cost;
  }): Promise<IntakeKeyring> {
    const created = await createIntakeKeyIfNone(deps.db, {
      identities: intakeIdentities(deps.config),
      passphrase: deps.passphrase,
      argon2: deps.argon2,
    });
    if (created) deps.log.info('intake key created', { fingerprint: created });
    const keyring = new IntakeKeyring(deps.db, deps.passphrase, deps.log);
    await keyring.refresh(true);
    const missing = [...deps.config.mail.addresses.security, ...deps.config.mail.addresses.coc].filter(
      (address) => !keyring.published.userIds.some((uid) => uid.toLowerCase().includes(`<${address}>`)),
    );
    if (!deps.config.mail.domainConfigured) {
      deps.log.warn(
        `MAIL_DOMAIN is not set, so the intake addresses are ${intakeIdentities(deps.config)
          .map((i) => i.email)
          .join(' and ')} and the intake key names them. ` +
          'Before you publish its fingerprint: set MAIL_DOMAIN (in intake.env, or the environment), restart, and run: npx intake intake-key reissue',
        { fingerprint: keyring.published.fingerprint },
      );
    } else if (missing.length > 0) {
      deps.log.warn(
        'the intake key names no user ID for some intake addresses; WKD will not find it for them. If its fingerprint was never published run: npx intake intake-key reissue; otherwise: npx intake intake-key rotate',
        { fingerprint: keyring.published.fingerprint, addresses: missing },
      );
    }
    return keyring;
  }

  current(): PublishedIntakeKey {
    return this.published;
  }

  /** The unlocked active key, for signing security.txt. */
  signingKey(): PrivateKey {
    return this.signing;
  }

  /** Keys that may decrypt incoming mail now (active first). */
  decryptionKeys(): PrivateKey[] {
    return this.decrypting;
  }

  /**
   * Reloads when the keys changed in the database (a rotation or import by the CLI, or another
   * instance). Cheap when nothing changed; checked at most every 30 s unless `force`.
   */
  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = Date.now();
    const destroyed = await destroyExpiredIntakeKeys(this.db, new Date());
    for (const fingerprint of destroyed)
      this.log.info('retired intake key destroyed after its grace period', { fingerprint });
    const version = await intakeKeysVersion(this.db);
    if (!force && version === this.version) return;

    const rows = await intakeKeysForDecryption(this.db, new Date());
    const active = rows.find((r) => r.active);
    if (!active) throw notConfigured('There is no active intake key. Run: intake intake-key rotate');
    const keys: PrivateKey[] = [];
    for (const row of rows) {
      let key = this.unlocked.get(row.fingerprint);
      if (!key) {
        try {
          key = await unlockIntakeKey(row.lockedPrivateKey, this.passphrase);
        } catch (error) {
          if (row.active && error instanceof DecryptionError) {
            throw notConfigured(
              `The intake key passphrase does not unlock the active intake key ${row.fingerprint}. Start with the passphrase it was made under ` +
                '(INTAKE_KEY_PASSPHRASE or INTAKE_KEY_PASSPHRASE_FILE); if it is lost, run "intake intake-key rotate" to make a new key.',
            );
          }
          if (row.active) throw error;
          this.log.warn(
            'a retired intake key cannot be unlocked with the passphrase; mail still encrypted to it will be refused',
            { fingerprint: row.fingerprint },
          );
          continue;
        }
        this.unlocked.set(row.fingerprint, key);
      }
      keys.push(key);
    }
    for (const fingerprint of this.unlocked.keys())
      if (!rows.some((r) => r.fingerprint === fingerprint)) this.unlocked.delete(fingerprint);
    const record = (await listIntakeKeys(this.db)).find((k) => k.fingerprint === active.fingerprint)!;
    this.published = {
      fingerprint: record.fingerprint,
      armored: record.publicKey,
      ...(await publishableKey(record.publicKey)),
    };
    this.signing = keys[0]!;
    this.decrypting = keys;
    this.version = version;
  }
}

/**
 * The intake keys of this instance, unlocked under the configured passphrase (config.intakeKey).
 * The passphrase comes back too, for the SMTP intake's worker threads, which unlock their own copies.
 */
export async function unlockIntakeKeys(deps: {
  db: Kysely<Database>;
  config: Config;
  log: Logger;
  argon2?: Argon2Cost;
}): Promise<{ keyring: IntakeKeyring; passphrase: string }> {
  const passphrase = await resolveIntakePassphrase(deps.config.intakeKey.passphrase, deps.log);
  const keyring = await IntakeKeyring.open({ ...deps, passphrase });
  deps.log.info('intake key', { fingerprint: keyring.current().fingerprint });
  return { keyring, passphrase };
}
