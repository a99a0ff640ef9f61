import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** What anyone may know of an intake key: it is published. */
export interface IntakeKeyRecord {
  id: string;
  fingerprint: string;
  publicKey: string;
  createdAt: Date;
  retiredAt: Date | null;
  /** A retired key decrypts incoming mail until then. */
  decryptUntil: Date | null;
  /** false once the private key was destroyed after its grace period. */
  hasPrivateKey: boolean;
}

const PUBLIC_COLUMNS = ['id', 'fingerprint', 'public_key', 'created_at', 'retired_at', 'decrypt_until'] as const;

/** Every intake key, the active one first, then newest first. Public parts only. */
export async function listIntakeKeys(db: Db): Promise<IntakeKeyRecord[]> {
  const rows = await db
    .selectFrom('intake_keys')
    .select([...PUBLIC_COLUMNS, sql<boolean>`locked_private_key IS NOT NULL`.as('has_private_key')])
    .orderBy(sql`retired_at IS NULL`, 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    fingerprint: r.fingerprint,
    publicKey: r.public_key,
    createdAt: r.created_at,
    retiredAt: r.retired_at,
    decryptUntil: r.decrypt_until,
    hasPrivateKey: r.has_private_key,
  }));
}

/**
 * The locked private keys that may decrypt incoming mail at `now`: the active key and any retired
 * one still in its grace period. The one query that reads the secret column.
 */
export async function intakeKeysForDecryption(
  db: Db,
  now: Date,
): Promise<{ fingerprint: string; lockedPrivateKey: string; active: boolean }[]> {
  const rows = await db
    .selectFrom('intake_keys')
    .select(['fingerprint', 'locked_private_key', 'retired_at'])
    .where('locked_private_key', 'is not', null)
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('decrypt_until', '>', now)]))
    .orderBy(sql`retired_at IS NULL`, 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    fingerprint: r.fingerprint,
    lockedPrivateKey: r.locked_private_key!,
    active: r.retired_at === null,
  }));
}

/**
 * A value that changes whenever the set of keys that may decrypt changes (made, retired, destroyed,
 * or a grace period ended), so that running instances notice a rotation made by the CLI.
 */
export async function intakeKeysVersion(db: Db): Promise<string> {
  const row = await sql<{ version: string }>`
    SELECT count(*) || ':' || coalesce(max(created_at)::text, '') || ':' || coalesce(max(retired_at)::text, '') || ':' ||
           count(locked_private_key) || ':' ||
           count(*) FILTER (WHERE locked_private_key IS NOT NULL AND (retired_at IS NULL OR decrypt_until > now())) AS version
    FROM intake_keys`.execute(db);
  return row.rows[0]?.version ?? '';
}

/** Serializes intake-key changes across instances and the CLI for the rest of the transaction. */
export async function lockIntakeKeys(trx: Transaction<Database>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('intake_keys'))`.execute(trx);
}

export async function insertIntakeKey(
  db: Db,
  key: { fingerprint: string; publicKey: string; lockedPrivateKey: string },
): Promise<string> {
  const { id } = await db
    .insertInto('intake_keys')
    .values({
      fingerprint: key.fingerprint,
      public_key: key.publicKey,
      locked_private_key: key.lockedPrivateKey,
      retired_at: null,
      decrypt_until: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** Retires the active key; it keeps decrypting incoming mail until `decryptUntil`. */
export async function retireActiveIntakeKey(db: Db, now: Date, decryptUntil: Date): Promise<string | null> {
  const row = await db
    .updateTable('intake_keys')
    .set({ retired_at: now, decrypt_until: decryptUntil })
    .where('retired_at', 'is', null)
    .returning('fingerprint')
    .executeTakeFirst();
  return row?.fingerprint ?? null;
}

/** Destroys the private halves of retired keys whose grace period is over; returns their fingerprints. */
export async function destroyExpiredIntakeKeys(db: Db, now: Date): Promise<string[]> {
  const rows = await db
    .updateTable('intake_keys')
    .set({ locked_private_key: null })
    .where('retired_at', 'is not', null)
    .where('decrypt_until', '<=', now)
    .where('locked_private_key', 'is not', null)
    .returning('fingerprint')
    .execute();
  return rows.map((r) => r.fingerprint);
}

/** Whether any report arrived by e-mail since `since`: then someone may have encrypted to the key made at that time. */
export async function mailReportsSince(db: Db, since: Date): Promise<boolean> {
  const row = await db
    .selectFrom('cases')
    .select('id')
    .where('channel', '=', 'email')
    .where('created_at', '>=', since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
