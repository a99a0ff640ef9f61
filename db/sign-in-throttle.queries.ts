import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Failed sign-ins of one account (a hash of the e-mail tried) in the current window. */
export interface ThrottleRow {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

/**
 * Locks the account's counter row for the rest of the transaction, making an empty one first if
 * there is none, so that concurrent attempts on one account are counted one after another.
 */
export async function lockThrottleRow(trx: Transaction<Database>, accountHash: Buffer, now: Date): Promise<ThrottleRow> {
  await trx
    .insertInto('sign_in_throttle')
    .values({ account_hash: accountHash, failures: 0, window_started_at: now, locked_until: null })
    .onConflict((oc) => oc.column('account_hash').doNothing())
    .execute();
  const row = await trx
    .selectFrom('sign_in_throttle')
    .select(['failures', 'window_started_at', 'locked_until'])
    .where('account_hash', '=', accountHash)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { failures: row.failures, windowStartedAt: row.window_started_at, lockedUntil: row.locked_until };
}

export async function saveThrottleRow(db: Db, accountHash: Buffer, row: ThrottleRow): Promise<void> {
  await db
    .updateTable('sign_in_throttle')
    .set({ failures: row.failures, window_started_at: row.windowStartedAt, locked_until: row.lockedUntil })
    .where('account_hash', '=', accountHash)
    .execute();
}

/** Forgets the account's failures (after a successful sign-in, or when the operator resets it). */
export async function clearThrottle(db: Db, accountHash: Buffer): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('account_hash', '=', accountHash).execute();
}

/** Housekeeping: deletes counters whose window and lock-out both ended before `before`. */
export async function deleteStaleThrottleRows(db: Db, before: Date): Promise<void> {
  await db
    .deleteFrom('sign_in_throttle')
    .where('window_started_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
    .execute();
}
