// Every instance learns of an intake-key change (rotation, import, retirement, made by the CLI or
// another instance) within a moment: a trigger on intake_keys NOTIFYs, each instance LISTENs on
// its own connection and reloads. The keyring's own 30 s recheck stays as the backstop for a
// notification lost while the connection was down (the listener also reloads on reconnecting).
import { listenForChanges, type ChangeListener } from '../../db/change-listener';
import type { Logger } from '../log';
import { isDatabaseShuttingDown } from '../../db/errors';

export const INTAKE_KEYS_CHANNEL = 'intake_keys_changed';

export function followIntakeKeyChanges(deps: {
  url: string;
  /** Reloads the keys in every part of this instance (the keyring and the SMTP workers). */
  reload: () => Promise<void>;
  log: Logger;
  retryMs?: number;
}): ChangeListener {
  // Changes that arrive during a reload are folded into one more reload after it.
  let running: Promise<void> | null = null;
  let again = false;
  // Once closed (the instance is stopping), a reload still under way may fail as the parts it reloads close: that is no news.
  let closed = false;
  const reload = () => {
    if (closed) return;
    if (running) return void (again = true);
    running = deps
      .reload()
      .catch((error: unknown) => {
        if (closed) return;
        if (isDatabaseShuttingDown(error)) deps.log.info('intake keys not reloaded: the database is shutting down');
        else deps.log.warn('reloading the intake keys after a change failed; will retry', { error });
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          reload();
        }
      });
  };
  let connected = true;
  const listener = listenForChanges({
    url: deps.url,
    channel: INTAKE_KEYS_CHANNEL,
    retryMs: deps.retryMs,
    onChange: () => {
      if (!connected) deps.log.info('listening for intake-key changes again');
      connected = true;
      reload();
    },
    onError: (error) => {
      // A database shutting down (Ctrl-C reaches PostgreSQL too, or a restart) ends the connection: no fault of ours.
      if (connected && isDatabaseShuttingDown(error))
        deps.log.info('the database is shutting down; listening for intake-key changes again once it is back');
      else if (connected)
        deps.log.warn('lost the connection that hears of intake-key changes; reconnecting', { error });
      connected = false;
    },
  });
  return {
    ...listener,
    close: () => {
      closed = true;
      return listener.close();
    },
  };
}
