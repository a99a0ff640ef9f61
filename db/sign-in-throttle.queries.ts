import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';

type Db = Kysely<Database> | Transaction<Database>;

/** Failed sign-ins in the current window of one counter. */
export interface ThrottleRow {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

/** The account-wide counters (keyed by a hash of the e-mail tried, known or not). */
export interface AccountThrottleRow {
  anyFailure: ThrottleRow;
  secondFactorFailure: ThrottleRow;
}

/**
 * Locks the counter of one account and one client for the rest of the transaction, making an empty
 * one first if there is none, so that concurrent attempts from that client are counted one after another.
 */
export async function lockClientThrottleRow(
  trx: Transaction<Database>,
  accountHash: Buffer,
  clientHash: Buffer,
  now: Date,
): Promise<ThrottleRow> {
  await trx
    .insertInto('sign_in_client_throttle')
    .values({
      account_hash: accountHash,
      client_hash: clientHash,
      failures: 0,
      window_started_at: now,
      locked_until: null,
    })
    .onConflict((oc) => oc.columns(['account_hash', 'client_hash']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('sign_in_client_throttle')
    .select(['failures', 'window_started_at', 'locked_until'])
    .where('account_hash', '=', accountHash)
    .where('client_hash', '=', clientHash)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { failures: row.failures, windowStartedAt: row.window_started_at, lockedUntil: row.locked_until };
}

export async function saveClientThrottleRow(
  db: Db,
  accountHash: Buffer,
  clientHash: Buffer,
  row: ThrottleRow,
): Promise<void> {
  await db
    .updateTable('sign_in_client_throttle')
    .set({ failures: row.failures, window_started_at: row.windowStartedAt, locked_until: row.lockedUntil })
    .where('account_hash', '=', accountHash)
    .where('client_hash', '=', clientHash)
    .execute();
}

/** Forgets one client's failures on the account (after that client signed in). */
export async function clearClientThrottle(db: Db, accountHash: Buffer, clientHash: Buffer): Promise<void> {
  await db
    .deleteFrom('sign_in_client_throttle')
    .where('account_hash', '=', accountHash)
    .where('client_hash', '=', clientHash)
    .execute();
}

const accountColumns = [
  'failures',
  'window_started_at',
  'locked_until',
  'second_factor_failures',
  'second_factor_window_started_at',
  'second_factor_locked_until',
] as const;

function accountRow(row: {
  failures: number;
  window_started_at: Date;
  locked_until: Date | null;
  second_factor_failures: number;
  second_factor_window_started_at: Date;
  second_factor_locked_until: Date | null;
}): AccountThrottleRow {
  return {
    anyFailure: { failures: row.failures, windowStartedAt: row.window_started_at, lockedUntil: row.locked_until },
    secondFactorFailure: {
      failures: row.second_factor_failures,
      windowStartedAt: row.second_factor_window_started_at,
      lockedUntil: row.second_factor_locked_until,
    },
  };
}

/** The account's counters as they are, or undefined when it has none (read without a lock). */
export async function findAccountThrottle(db: Db, accountHash: Buffer): Promise<AccountThrottleRow | undefined> {
  const row = await db
    .selectFrom('sign_in_throttle')
    .select(accountColumns)
    .where('account_hash', '=', accountHash)
    .executeTakeFirst();
  return row && accountRow(row);
}

/** Locks the account's counters for the rest of the transaction, making empty ones first if there are none. */
export async function lockAccountThrottleRow(
  trx: Transaction<Database>,
  accountHash: Buffer,
  now: Date,
): Promise<AccountThrottleRow> {
  await trx
    .insertInto('sign_in_throttle')
    .values({
      account_hash: accountHash,
      failures: 0,
      window_started_at: now,
      locked_until: null,
      second_factor_window_started_at: now,
      second_factor_locked_until: null,
    })
    .onConflict((oc) => oc.column('account_hash').doNothing())
    .execute();
  const row = await trx
    .selectFrom('sign_in_throttle')
    .select(accountColumns)
    .where('account_hash', '=', accountHash)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return accountRow(row);
}

export async function saveAccountThrottleRow(db: Db, accountHash: Buffer, row: AccountThrottleRow): Promise<void> {
  await db
    .updateTable('sign_in_throttle')
    .set({
      failures: row.anyFailure.failures,
      window_started_at: row.anyFailure.windowStartedAt,
      locked_until: row.anyFailure.lockedUntil,
      second_factor_failures: row.secondFactorFailure.failures,
      second_factor_window_started_at: row.secondFactorFailure.windowStartedAt,
      second_factor_locked_until: row.secondFactorFailure.lockedUntil,
    })
    .where('account_hash', '=', accountHash)
    .execute();
}

/** Forgets every counter of the account, from every client (when the operator resets its sign-in). */
export async function clearThrottle(db: Db, accountHash: Buffer): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('account_hash', '=', accountHash).execute();
  await db.deleteFrom('sign_in_client_throttle').where('account_hash', '=', accountHash).execute();
}

/** Housekeeping: deletes counters whose windows and lock-outs all ended before `before`. */
export async function deleteStaleThrottleRows(db: Db, before: Date): Promise<void> {
  await db
    .deleteFrom('sign_in_throttle')
    .where('window_started_at', '<', before)
    .where('second_factor_window_started_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
    .where((eb) => eb.or([eb('second_factor_locked_until', 'is', null), eb('second_factor_locked_until', '<', before)]))
    .execute();
  await db
    .deleteFrom('sign_in_client_throttle')
    .where('window_started_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
    .execute();
}
