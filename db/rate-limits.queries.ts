import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

/** A client's count in its current window, and when that window ends (the database's clock). */
export interface WindowCount {
  hits: number;
  resetsAt: Date;
}

/**
 * One hit, in one statement: a new window when the client has none or its window has ended
 * (fixed windows from the first hit, as express-rate-limit's MemoryStore keeps them).
 */
export async function countHit(
  db: Kysely<Database>,
  limiter: string,
  clientHash: Buffer,
  windowMs: number,
): Promise<WindowCount> {
  const { rows } = await sql<{ hits: number; resets_at: Date }>`
    INSERT INTO rate_limit_counts AS c (limiter, client_hash, hits, resets_at)
    VALUES (${limiter}, ${clientHash}, 1, now() + ${windowMs} * interval '1 millisecond')
    ON CONFLICT (limiter, client_hash) DO UPDATE SET
      hits = CASE WHEN c.resets_at <= now() THEN 1 ELSE c.hits + 1 END,
      resets_at = CASE WHEN c.resets_at <= now() THEN excluded.resets_at ELSE c.resets_at END
    RETURNING hits, resets_at`.execute(db);
  const row = rows[0]!;
  return { hits: row.hits, resetsAt: row.resets_at };
}

/** Takes one hit back within the current window (a request that is not to count after all). */
export async function uncountHit(db: Kysely<Database>, limiter: string, clientHash: Buffer): Promise<void> {
  await db
    .updateTable('rate_limit_counts')
    .set((eb) => ({ hits: sql`greatest(${eb.ref('hits')} - 1, 0)` }))
    .where('limiter', '=', limiter)
    .where('client_hash', '=', clientHash)
    .where('resets_at', '>', sql<Date>`now()`)
    .execute();
}

/** The client's count in a window still running, or undefined. */
export async function currentCount(
  db: Kysely<Database>,
  limiter: string,
  clientHash: Buffer,
): Promise<WindowCount | undefined> {
  const row = await db
    .selectFrom('rate_limit_counts')
    .select(['hits', 'resets_at'])
    .where('limiter', '=', limiter)
    .where('client_hash', '=', clientHash)
    .where('resets_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row && { hits: row.hits, resetsAt: row.resets_at };
}

export async function forgetCount(db: Kysely<Database>, limiter: string, clientHash: Buffer): Promise<void> {
  await db
    .deleteFrom('rate_limit_counts')
    .where('limiter', '=', limiter)
    .where('client_hash', '=', clientHash)
    .execute();
}

/** Drops windows that have ended (the background task); returns how many. */
export async function deleteEndedWindows(db: Kysely<Database>): Promise<number> {
  const result = await db
    .deleteFrom('rate_limit_counts')
    .where('resets_at', '<=', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
