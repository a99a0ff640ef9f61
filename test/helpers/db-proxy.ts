// A TCP proxy between the app and PostgreSQL that a test can unplug: the database "goes away" for real.
import net from 'node:net';

/**
 * A TCP proxy to PostgreSQL that can be unplugged (every connection dropped, new ones refused) or
 * stalled (every connection dropped, new ones accepted and never answered: a hung database).
 */
export async function startDatabaseProxy(
  target: URL,
): Promise<{ url: string; unplug(): void; stall(): void; plug(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let down = false;
  let stalled = false;
  const held = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    if (stalled) {
      held.add(client);
      client.on('error', () => undefined).on('close', () => held.delete(client));
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    unplug: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    stall: () => {
      stalled = true;
      for (const socket of sockets) socket.destroy();
    },
    plug: () => {
      down = false;
      stalled = false;
      for (const socket of held) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of [...sockets, ...held]) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
