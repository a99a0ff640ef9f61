// The charter as the hot paths read it (a new case's due dates, the public pages, decision
// periods, mail): cached per database handle, dropped when any instance or the CLI changes it.
// A write NOTIFYs `charter_changed` in its transaction (delivered at commit); every instance LISTENs
// (main.ts) and drops its copy; a write in this process drops it at once; a 5 s recheck is the
// backstop for a notification lost while the listening connection was down.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database';
import { listCharterRows, CHARTER_CHANNEL, type CharterRow } from '../../db/charter.queries';
import { listenForChanges, type ChangeListener } from '../../db/change-listener';
import type { Logger } from '../log';
import { isDatabaseShuttingDown } from '../../db/errors';

const RECHECK_MS = 5_000;
let generation = 0;
const cache = new WeakMap<Kysely<Database>, { rows: CharterRow[]; at: number; generation: number }>();

/** The charter changed (here, or as another instance told): the next read goes to the database. */
export function charterChanged(): void {
  generation += 1;
}

export async function cachedCharterRows(db: Kysely<Database>): Promise<CharterRow[]> {
  const hit = cache.get(db);
  if (hit && hit.generation === generation && Date.now() - hit.at < RECHECK_MS) return hit.rows;
  // Read at this generation: a change told while reading makes the copy stale at once.
  const at = generation;
  const rows = await listCharterRows(db);
  cache.set(db, { rows, at: Date.now(), generation: at });
  return rows;
}

export function followCharterChanges(deps: { url: string; log: Logger; retryMs?: number }): ChangeListener {
  let connected = true;
  return listenForChanges({
    url: deps.url,
    channel: CHARTER_CHANNEL,
    retryMs: deps.retryMs,
    onChange: () => {
      if (!connected) deps.log.info('listening for charter changes again');
      connected = true;
      charterChanged();
    },
    onError: (error) => {
      // A database shutting down (Ctrl-C reaches PostgreSQL too, or a restart) ends the connection: no fault of ours.
      if (connected && isDatabaseShuttingDown(error))
        deps.log.info('the database is shutting down; listening for charter changes again once it is back');
      else if (connected) deps.log.warn('lost the connection that hears of charter changes; reconnecting', { error });
      connected = false;
    },
  });
}
