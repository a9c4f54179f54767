import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, to fake an outage of a shared service (PostgreSQL, Redis)
 * without stopping it: point the app at `port` instead of the service's.
 */
export interface TcpProxy {
  /** The local port it listens on (the same across `refuse()` and `restore()`). */
  readonly port: number;
  /** Destroys every connection open through it now, both sides (the server "went away"). */
  cut(): void;
  /** Cuts every connection and stops listening: new connections get ECONNREFUSED. */
  refuse(): Promise<void>;
  /**
   * Accepts new connections but forwards nothing on them until `restore()` (a service that
   * hangs): the app's request waits, in flight.
   */
  stall(): void;
  /** New connections held by `stall()` so far. */
  readonly stalled: number;
  /** Listens again on the same port and forwards as before, stalled connections included. */
  restore(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

/** Starts forwarding 127.0.0.1:<free port> to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let server: Server | undefined;
  let held: (() => void)[] | undefined;

  const accept = (client: Socket): void => {
    if (!held) return forward(client);
    open.add(client);
    client.on('error', () => undefined);
    client.once('close', () => open.delete(client));
    held.push(() => forward(client));
  };

  const forward = (client: Socket): void => {
    if (client.destroyed) return;
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  };

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const listening = createServer(accept);
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        server = listening;
        const address = listening.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });

  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
      cut();
    });

  const cut = (): void => {
    for (const socket of open) socket.destroy();
    open.clear();
  };

  const port = await listen(0);
  return {
    port,
    cut,
    refuse: stopListening,
    stall: () => (held ??= []),
    get stalled() {
      return held?.length ?? 0;
    },
    restore: async () => {
      const release = held ?? [];
      held = undefined;
      for (const start of release) start();
      if (!server) await listen(port);
    },
    close: stopListening,
  };
}

/** `url` (`postgres://…`, `redis://…`) with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}
