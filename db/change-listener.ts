// LISTEN on one channel over a dedicated connection (not the pool's: a pooled connection is handed
// to other queries), reconnecting with a growing pause when the connection is lost. After every
// (re)connection `onChange` runs once, since notifications sent while disconnected are lost.
import pg from 'pg';

export interface ChangeListener {
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_]+$/;
const MAX_PAUSE_MS = 30_000;

export function listenForChanges(options: {
  url: string;
  channel: string;
  onChange: () => void;
  /** A lost or refused connection (the listener retries by itself). */
  onError: (error: unknown) => void;
  /** The first pause before reconnecting (doubles up to 30 s); tests shorten it. */
  retryMs?: number;
}): ChangeListener {
  if (!CHANNEL.test(options.channel)) throw new Error(`not a channel name: ${options.channel}`);
  const firstPause = options.retryMs ?? 1_000;
  let pause = firstPause;
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const retry = (error: unknown) => {
    if (closed || timer) return;
    options.onError(error);
    const gone = client;
    client = null;
    void gone?.end().catch(() => undefined);
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, pause);
    timer.unref();
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  };

  const connect = async () => {
    const next = new pg.Client({ connectionString: options.url, application_name: 'intake-change-listener' });
    client = next;
    next.on('error', (error) => {
      if (client === next) retry(error);
    });
    next.on('end', () => {
      if (client === next) retry(new Error('the listening connection ended'));
    });
    next.on('notification', (message) => {
      if (message.channel === options.channel) options.onChange();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel}`);
    } catch (error) {
      if (client === next) retry(error);
      return;
    }
    if (closed) return void next.end().catch(() => undefined);
    pause = firstPause;
    options.onChange();
  };
  void connect();

  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      const last = client;
      client = null;
      await last?.end().catch(() => undefined);
    },
  };
}
