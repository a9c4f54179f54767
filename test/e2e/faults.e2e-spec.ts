import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  adminRequest,
  adminToken,
  createClientRequest,
  createClientViaAdmin,
  createTestDatabase,
  eventually,
  freePort,
  getJson,
  getToken,
  identityCli,
  managementConfig,
  postToken,
  publishedKids,
  startIdentity,
  startTcpProxy,
  startWeatherApi,
  throughProxy,
  tempDir,
  tokenWorks,
  writeConfig,
  DISCOVERY_PATH,
  JWKS_PATH,
  type Credentials,
  type RunningApp,
  type RunningIdentity,
  type TcpProxy,
  type TestDatabase,
} from '../support';

// Issue 5, point 5: faults. The identity's store out of reach, a kill -9 under load, and SIGTERM
// with requests in flight, against real processes and the machine's real PostgreSQL (cut through
// a proxy the test controls: the shared server itself is never stopped).

jest.setTimeout(90_000);

async function forecastStatus(api: RunningApp, token: string): Promise<number> {
  const response = await fetch(`${api.url}/weatherforecast`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return response.status;
}

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('PostgreSQL out of reach while the identity runs, then back', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let identity: RunningIdentity;
  let api: RunningApp;
  let admin: string;
  const cached: Credentials = { id: 'cached', secret: 'the cached client secret' };
  const uncached: Credentials = { id: 'uncached', secret: 'the uncached client secret' };

  beforeAll(async () => {
    database = await createTestDatabase();
    const { hostname, port } = new URL(database.url);
    proxy = await startTcpProxy({ host: hostname, port: Number(port || 5432) });
    identity = await startIdentity({
      configFile: writeConfig(managementConfig),
      env: { DATABASE_URL: throughProxy(database.url, proxy) },
    });
    api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
    admin = await adminToken(identity.url);
    await createClientViaAdmin(identity.url, admin, cached.id, cached.secret);
    await createClientViaAdmin(identity.url, admin, uncached.id, uncached.secret);
    // Both creations are behind us (each drops the cache): this lookup is the one remembered.
    expect(await forecastStatus(api, await getToken(identity.url, cached))).toBe(200);
    expect(await status(`${identity.url}/health/ready`)).toBe(200);
    expect(await status(`${api.url}/health/ready`)).toBe(200);
    await proxy.refuse();
  });
  afterAll(async () => {
    await proxy?.restore();
    await Promise.all([identity?.stop(), api?.stop()]);
    await proxy?.close();
  });

  describe('while it is out of reach', () => {
    it('keeps issuing tokens to a client it has already looked up', async () => {
      const token = await getToken(identity.url, cached);
      expect(await forecastStatus(api, token)).toBe(200);
    });

    it('answers a client it must look up with 503 temporarily_unavailable and Retry-After, not invalid_client', async () => {
      const response = await postToken(identity.url, {
        form: { grant_type: 'client_credentials' },
        basic: uncached,
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect(response.json).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the authority cannot reach its store; try again shortly',
      });
      expect(response.text).not.toContain('ECONNREFUSED');
    });

    it('answers the admin API with a 503 problem document and Retry-After', async () => {
      for (const [method, path, body] of [
        ['GET', '/admin/clients', undefined],
        [
          'POST',
          '/admin/clients',
          createClientRequest('during-outage', 'a secret long enough to be accepted'),
        ],
      ] as const) {
        const response = await adminRequest(identity.url, admin, method, path, body);
        expect({ method, status: response.status }).toEqual({ method, status: 503 });
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(response.json).toEqual({
          type: 'urn:nest-identity:problem:store-unavailable',
          title: 'The store is unavailable',
          status: 503,
          detail: 'the authority cannot reach its store; try again shortly',
        });
      }
    });

    it('still publishes its discovery document and keys from memory', async () => {
      expect(await status(`${identity.url}${DISCOVERY_PATH}`)).toBe(200);
      const jwks = await getJson(`${identity.url}${JWKS_PATH}`);
      expect(jwks.status).toBe(200);
      expect((jwks.json as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    });

    it('is not ready, but alive', async () => {
      const ready = await getJson(`${identity.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.json).toMatchObject({
        status: 'error',
        error: { store: { status: 'down' } },
        info: { signingKey: { status: 'up' } },
      });
      expect(await status(`${identity.url}/health/live`)).toBe(200);
      expect(await getJson(`${identity.url}/health`)).toMatchObject({
        status: 200,
        json: { status: 'ok' },
      });
    });

    it('leaves the weather-api ready and validating', async () => {
      expect(await status(`${api.url}/health/ready`)).toBe(200);
      expect(await forecastStatus(api, await getToken(identity.url, cached))).toBe(200);
    });
  });

  describe('once it is back, without a restart', () => {
    beforeAll(() => proxy.restore());

    it('is ready again and issues tokens to the client it could not look up', async () => {
      expect(await eventually(() => tokenWorks(identity.url, uncached), 15_000)).toBe(true);
      expect(
        await eventually(async () => (await status(`${identity.url}/health/ready`)) === 200, 5000),
      ).toBe(true);
    });

    it('serves the admin API again', async () => {
      const created = await adminRequest(
        identity.url,
        admin,
        'POST',
        '/admin/clients',
        createClientRequest('after-outage', 'a secret long enough to be accepted'),
      );
      expect(created.status).toBe(201);
      expect(
        await tokenWorks(identity.url, {
          id: 'after-outage',
          secret: 'a secret long enough to be accepted',
        }),
      ).toBe(true);
    });

    it('sees changes made by another process again (the change polling resumed)', async () => {
      // The CLI writes to PostgreSQL directly; only the identity's polling can drop its cache.
      await identityCli(['clients', 'disable', cached.id], {
        IDENTITY_CONFIG: identity.configFile,
        IDENTITY_DATA_DIR: tempDir('identity-cli-'),
        DATABASE_URL: database.url,
      });
      expect(await eventually(async () => !(await tokenWorks(identity.url, cached)), 5000)).toBe(
        true,
      );
    });
  });
});

/**
 * Keeps `concurrency` token requests in flight until `stop()`; collects the tokens issued and the
 * status of every answer. Requests cut off by a kill or a shutdown have no answer: not counted.
 */
function tokenLoad(url: string, client: Credentials, concurrency: number) {
  const issued: string[] = [];
  const statuses = new Set<number>();
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      try {
        const response = await postToken(url, {
          form: { grant_type: 'client_credentials' },
          basic: client,
        });
        statuses.add(response.status);
        if (response.status === 200)
          issued.push((response.json as { access_token: string }).access_token);
      } catch {
        // No answer: refused, reset, or the process is gone.
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    issued,
    statuses,
    /** Starts no new request from now on; resolves once those in flight are over. */
    stop: () => {
      stopped = true;
      return Promise.all(workers);
    },
  };
}

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('%s: kill -9 under token load, then restart', (_store, postgres) => {
  const client: Credentials = { id: 'client', secret: 'secret' };
  let identity: RunningIdentity;
  let env: Record<string, string>;
  afterAll(() => identity?.stop());

  it('comes back with every key it published and accepts the tokens it issued', async () => {
    env = postgres ? { DATABASE_URL: (await createTestDatabase()).url } : {};
    const dataDir = tempDir('identity-kill-');
    identity = await startIdentity({ dataDir, env });
    const kidsBefore = await publishedKids(identity.url);

    const load = tokenLoad(identity.url, client, 20);
    expect(await eventually(() => Promise.resolve(load.issued.length >= 200), 30_000, 20)).toBe(
      true,
    );
    const stopped = load.stop();
    await identity.stop('SIGKILL');
    await stopped;
    expect(identity.process.signalCode).toBe('SIGKILL');
    expect([...load.statuses]).toEqual([200]);

    // The same port: the same default ISSUER, so the tokens from before stay for this issuer.
    identity = await startIdentity({ dataDir, env, port: identity.port });
    expect(await status(`${identity.url}/health/ready`)).toBe(200);
    expect(await publishedKids(identity.url)).toEqual(expect.arrayContaining(kidsBefore));
    const api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
    try {
      const lastIssued = load.issued.slice(-3);
      for (const token of [load.issued[0], ...lastIssued])
        expect(await forecastStatus(api, token)).toBe(200);
      expect(await forecastStatus(api, await getToken(identity.url, client))).toBe(200);
    } finally {
      await api.stop();
    }
  });
});

/**
 * A token request over a raw socket whose body is sent in two halves: the server has begun it
 * (answered `100 Continue` to its headers) once `start()` resolves, and waits for the rest.
 */
class HeldTokenRequest {
  private readonly socket: Socket;
  private received = '';
  private readonly closed: Promise<unknown>;
  private readonly body: string;

  constructor(
    private readonly port: number,
    client: Credentials,
  ) {
    this.body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: client.secret,
    }).toString();
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.setEncoding('utf8').on('data', (chunk: string) => (this.received += chunk));
    this.closed = once(this.socket, 'close');
  }

  async start(): Promise<void> {
    await once(this.socket, 'connect');
    this.socket.write(
      `POST /connect/token HTTP/1.1\r\nHost: localhost:${this.port}\r\nConnection: close\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${this.body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    const continued = await eventually(
      () => Promise.resolve(this.received.startsWith('HTTP/1.1 100 Continue')),
      5000,
      10,
    );
    if (!continued) throw new Error(`no 100 Continue: ${this.received}`);
    this.socket.write(this.body.slice(0, this.body.length / 2));
  }

  /** Sends the rest; resolves with the final status once the server closed the connection. */
  async finish(): Promise<number> {
    this.socket.end(this.body.slice(this.body.length / 2));
    await this.closed;
    const final = this.received.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(final)?.[1] ?? 0);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Whether a new connection is turned away: refused, reset, or answered 503. */
async function turnsAwayNewRequests(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).status === 503;
  } catch {
    return true;
  }
}

/** Sends `signal`; resolves with how the process ended and how long after the signal. */
async function signalAndWait(
  app: RunningApp,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }> {
  const exited = once(app.process, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const sent = Date.now();
  app.process.kill(signal);
  const [code, by] = await exited;
  return { code, signal: by, afterMs: Date.now() - sent };
}

describe('SIGTERM', () => {
  const client: Credentials = { id: 'client', secret: 'secret' };

  describe('the identity', () => {
    it('finishes the requests in flight, turns new ones away, and exits 0', async () => {
      const identity = await startIdentity();
      const held = new HeldTokenRequest(identity.port, client);
      await held.start();
      const load = tokenLoad(identity.url, client, 10);
      await eventually(() => Promise.resolve(load.issued.length > 0), 5000, 10);

      const exit = signalAndWait(identity, 'SIGTERM');
      expect(await eventually(() => turnsAwayNewRequests(identity.url), 5000, 20)).toBe(true);
      await load.stop();
      expect(await held.finish()).toBe(200);
      expect(await exit).toMatchObject({ code: 0, signal: null });
      // Requests that got an answer during the shutdown got a token or a 503, never an error.
      expect([...load.statuses].filter((code) => code !== 200 && code !== 503)).toEqual([]);
    });

    it('exits at the end of a short grace period even with a request held open', async () => {
      const identity = await startIdentity({ env: { SHUTDOWN_GRACE_PERIOD: '1s' } });
      const held = new HeldTokenRequest(identity.port, client);
      await held.start();
      try {
        const exit = await signalAndWait(identity, 'SIGTERM');
        // It exited by itself (not the helper's SIGKILL), well before the request gave up.
        expect(exit.signal).toBeNull();
        expect(exit.code).toBe(1);
        expect(exit.afterMs).toBeLessThan(4000);
        expect(identity.output()).toContain('the grace period is over');
      } finally {
        held.destroy();
      }
    });
  });

  // A weather-api request is held in flight by its authority: the identity is reached through a
  // proxy that stalls, so the first token's validation waits for the metadata and the keys.
  describe('the weather-api', () => {
    let proxy: TcpProxy;
    let identity: RunningIdentity;
    let authority: string;
    beforeAll(async () => {
      const port = await freePort();
      proxy = await startTcpProxy({ host: '127.0.0.1', port });
      authority = `http://127.0.0.1:${proxy.port}`;
      identity = await startIdentity({ port, env: { ISSUER: authority } });
    });
    afterAll(async () => {
      await identity.stop();
      await proxy.close();
    });

    /** A forecast request whose validation waits on the stalled authority. */
    async function heldForecast(api: RunningApp): Promise<{ answered: Promise<number> }> {
      const token = await getToken(identity.url, client);
      proxy.stall();
      const answered = forecastStatus(api, token).catch(() => 0);
      expect(await eventually(() => Promise.resolve(proxy.stalled > 0), 5000, 10)).toBe(true);
      return { answered };
    }

    it('finishes the request in flight and exits 0', async () => {
      const api = await startWeatherApi({ env: { AUTHORITY: authority } });
      const { answered } = await heldForecast(api);

      const exit = signalAndWait(api, 'SIGTERM');
      expect(await eventually(() => turnsAwayNewRequests(api.url), 5000, 20)).toBe(true);
      await proxy.restore();
      expect(await answered).toBe(200);
      expect(await exit).toMatchObject({ code: 0, signal: null });
    });

    it('exits at the end of a short grace period even with a request held open', async () => {
      const api = await startWeatherApi({
        env: { AUTHORITY: authority, SHUTDOWN_GRACE_PERIOD: '1s' },
      });
      const { answered } = await heldForecast(api);
      try {
        const exit = await signalAndWait(api, 'SIGTERM');
        expect(exit.signal).toBeNull();
        expect(exit.code).toBe(1);
        expect(exit.afterMs).toBeLessThan(4000);
        expect(await answered).toBe(0);
      } finally {
        await proxy.restore();
      }
    });
  });
});
