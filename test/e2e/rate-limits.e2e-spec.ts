import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import {
  DISCOVERY_PATH,
  JWKS_PATH,
  clients,
  createTestDatabase,
  eventually,
  freePort,
  getJson,
  postToken,
  startIdentity,
  writeRichConfig,
  type Credentials,
  type RunningIdentity,
  type WireResponse,
} from '../support';

// Issue 5, point 1: throttles on POST /connect/token per client id and per source address, and
// a lock-out after repeated failed client authentications, shared by replicas through
// PostgreSQL or Redis. Every identity here runs with RATE_LIMIT=on and small limits.

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

const { standard, twoResources, withClaims } = clients;
const wrong = (client: Credentials): Credentials => ({ id: client.id, secret: 'wrong' });

/** Limits high enough never to matter, unless a test lowers one. */
const UNLIMITED = {
  RATE_LIMIT: 'on',
  IDENTITY_RATE_LIMIT_CLIENT: '10000/1m',
  IDENTITY_RATE_LIMIT_ADDRESS: '10000/1m',
  IDENTITY_LOCKOUT_THRESHOLD: '1000',
};

function requestToken(
  baseUrl: string,
  client: Credentials,
  forwardedFor?: string,
): Promise<WireResponse> {
  return postToken(baseUrl, {
    form: { grant_type: 'client_credentials' },
    basic: client,
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });
}

async function statuses(
  count: number,
  request: (index: number) => Promise<{ status: number }>,
): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push((await request(i)).status);
  return result;
}

/** The 429 as the issue wants it: Retry-After, no-store, the OAuth JSON body. */
function expectTooManyRequests(
  response: WireResponse,
  description = 'too many token requests; try again later',
): number {
  expect({ status: response.status, body: response.json }).toEqual({
    status: 429,
    body: { error: 'temporarily_unavailable', error_description: description },
  });
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  return retryAfter;
}

const LOCKED = 'too many failed client authentications; try again later';

/**
 * A token request sent from a given loopback source address (127.0.0.0/8 is all this host's), so
 * the identity sees distinct callers without trusting any proxy header.
 */
function requestTokenFrom(
  localAddress: string,
  baseUrl: string,
  client: Credentials,
): Promise<{ status: number }> {
  const url = new URL('/connect/token', baseUrl);
  url.hostname = '127.0.0.1';
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      },
    );
    request.on('error', reject);
    request.end('grant_type=client_credentials');
  });
}

describe('rate limits on the token endpoint', () => {
  describe('per client id', () => {
    let identity: RunningIdentity;

    beforeAll(async () => {
      identity = await startIdentity({
        configFile: writeRichConfig(),
        env: { ...UNLIMITED, IDENTITY_RATE_LIMIT_CLIENT: '3/1m' },
      });
    });
    afterAll(() => identity?.stop());

    it('answers 429 with Retry-After past the limit, whichever way the client authenticates', async () => {
      expect(await statuses(3, () => requestToken(identity.url, standard))).toEqual([
        200, 200, 200,
      ]);
      const basic = await requestToken(identity.url, standard);
      expect(expectTooManyRequests(basic)).toBeLessThanOrEqual(60);
      // client_secret_post presents the same client id.
      expectTooManyRequests(
        await postToken(identity.url, {
          form: { grant_type: 'client_credentials' },
          post: standard,
        }),
      );
    });

    it('counts each client id on its own, known or not', async () => {
      expect(await statuses(3, () => requestToken(identity.url, twoResources))).toEqual([
        200, 200, 200,
      ]);
      expect(
        await statuses(4, () => requestToken(identity.url, { id: 'nobody', secret: 'x' })),
      ).toEqual([401, 401, 401, 429]);
      expect((await requestToken(identity.url, withClaims)).status).toBe(200);
    });

    it('limits a request without a readable client id by its address only', async () => {
      const anonymous = () =>
        postToken(identity.url, { form: { grant_type: 'client_credentials' } });
      expect(await statuses(5, anonymous)).toEqual([401, 401, 401, 401, 401]);
    });
  });

  describe('per source address', () => {
    let identity: RunningIdentity;

    beforeAll(async () => {
      identity = await startIdentity({
        configFile: writeRichConfig(),
        env: { ...UNLIMITED, IDENTITY_RATE_LIMIT_ADDRESS: '3/1m', IDENTITY_TRUST_PROXY: 'true' },
      });
    });
    afterAll(() => identity?.stop());

    it('answers 429 past the limit for one address, whatever the client, and not for others', async () => {
      const from = (address: string) => (index: number) =>
        requestToken(identity.url, [standard, twoResources, withClaims][index % 3], address);
      expect(await statuses(3, from('203.0.113.1'))).toEqual([200, 200, 200]);
      expectTooManyRequests(await requestToken(identity.url, withClaims, '203.0.113.1'));
      // A request without client authentication counts for its address too.
      expectTooManyRequests(
        await postToken(identity.url, {
          form: { grant_type: 'client_credentials' },
          headers: { 'x-forwarded-for': '203.0.113.1' },
        }),
      );
      expect(await statuses(3, from('203.0.113.2'))).toEqual([200, 200, 200]);
    });

    it('leaves health, discovery and JWKS alone', async () => {
      const address = '203.0.113.3';
      expect(await statuses(4, () => requestToken(identity.url, standard, address))).toEqual([
        200, 200, 200, 429,
      ]);
      const headers = { 'x-forwarded-for': address };
      for (const path of ['/health', DISCOVERY_PATH, JWKS_PATH]) {
        expect((await getJson(`${identity.url}${path}`, { headers })).status).toBe(200);
      }
    });
  });

  it('ignores X-Forwarded-For unless IDENTITY_TRUST_PROXY says to trust it', async () => {
    const identity = await startIdentity({
      env: { ...UNLIMITED, IDENTITY_RATE_LIMIT_ADDRESS: '3/1m' },
    });
    try {
      // Each request claims another address; all come from 127.0.0.1.
      const spoofed = (index: number) =>
        requestToken(identity.url, standard, `198.51.100.${index}`);
      expect(await statuses(4, spoofed)).toEqual([200, 200, 200, 429]);
    } finally {
      await identity.stop();
    }
  });

  describe('lock-out after failed client authentications', () => {
    let identity: RunningIdentity;

    beforeAll(async () => {
      identity = await startIdentity({
        configFile: writeRichConfig(),
        env: {
          ...UNLIMITED,
          IDENTITY_LOCKOUT_THRESHOLD: '3',
          IDENTITY_LOCKOUT_WINDOW: '1m',
          IDENTITY_LOCKOUT_DURATION: '1s',
          IDENTITY_LOCKOUT_MAX_DURATION: '1m',
        },
      });
    });
    afterAll(() => identity?.stop());

    it('refuses even the right secret while locked, releases, and doubles the next lock-out', async () => {
      expect(await statuses(3, () => requestToken(identity.url, wrong(standard)))).toEqual([
        401, 401, 401,
      ]);
      expect(expectTooManyRequests(await requestToken(identity.url, standard), LOCKED)).toBe(1);
      expect(
        await eventually(
          async () => (await requestToken(identity.url, standard)).status === 200,
          5000,
          100,
        ),
      ).toBe(true);

      expect(await statuses(3, () => requestToken(identity.url, wrong(standard)))).toEqual([
        401, 401, 401,
      ]);
      const locked = await requestToken(identity.url, standard);
      expect(expectTooManyRequests(locked, LOCKED)).toBe(2);
    });

    it('locks the attacker out, not the victim: the client keeps getting tokens from its own address', async () => {
      const attacker = '127.0.0.3';
      const victim = '127.0.0.4';
      const attack = () => requestTokenFrom(attacker, identity.url, wrong(withClaims));
      expect(await statuses(3, attack)).toEqual([401, 401, 401]);
      expect((await attack()).status).toBe(429);
      expect((await requestTokenFrom(attacker, identity.url, withClaims)).status).toBe(429);
      for (let i = 0; i < 3; i++) {
        expect((await requestTokenFrom(victim, identity.url, withClaims)).status).toBe(200);
        expect((await attack()).status).toBe(429);
      }
    });

    it('locks an unknown client id the same way: the answer does not tell ids apart', async () => {
      const probe = { id: 'no-such-client', secret: 'guess' };
      expect(await statuses(3, () => requestToken(identity.url, probe))).toEqual([401, 401, 401]);
      expect(expectTooManyRequests(await requestToken(identity.url, probe), LOCKED)).toBe(1);
    });

    it('forgets earlier failures after a success', async () => {
      const fail = () => requestToken(identity.url, wrong(twoResources));
      expect(await statuses(2, fail)).toEqual([401, 401]);
      expect((await requestToken(identity.url, twoResources)).status).toBe(200);
      expect(await statuses(2, fail)).toEqual([401, 401]);
      expect((await requestToken(identity.url, twoResources)).status).toBe(200);
    });
  });

  it('RATE_LIMIT=off turns every throttle and the lock-out off', async () => {
    const identity = await startIdentity({
      env: {
        RATE_LIMIT: 'off',
        IDENTITY_RATE_LIMIT_CLIENT: '1/1m',
        IDENTITY_RATE_LIMIT_ADDRESS: '1/1m',
        IDENTITY_LOCKOUT_THRESHOLD: '1',
      },
    });
    try {
      expect(await statuses(5, () => requestToken(identity.url, wrong(standard)))).toEqual([
        401, 401, 401, 401, 401,
      ]);
      expect(await statuses(5, () => requestToken(identity.url, standard))).toEqual([
        200, 200, 200, 200, 200,
      ]);
    } finally {
      await identity.stop();
    }
  });
});

/** Two replicas that share only their counter store; the limit counts requests to either. */
function describeSharedCounters(
  name: string,
  environment: () => Promise<{ env: Record<string, string>; cleanUp(): Promise<void> }>,
): void {
  describe(`two replicas sharing counters through ${name}`, () => {
    let one: RunningIdentity;
    let two: RunningIdentity;
    let cleanUp: () => Promise<void> = () => Promise.resolve();

    beforeAll(async () => {
      const shared = await environment();
      cleanUp = shared.cleanUp;
      const env = {
        ...UNLIMITED,
        ...shared.env,
        IDENTITY_RATE_LIMIT_CLIENT: '5/1m',
        IDENTITY_LOCKOUT_THRESHOLD: '3',
        IDENTITY_LOCKOUT_DURATION: '30s',
      };
      // The first creates the schema (PostgreSQL) before the second starts.
      one = await startIdentity({ env });
      two = await startIdentity({ env });
    }, 60_000);
    afterAll(async () => {
      await Promise.all([one?.stop(), two?.stop()]);
      await cleanUp();
    });

    it('counts the requests made to either replica against one limit', async () => {
      const alternate = (index: number) => requestToken([one, two][index % 2].url, standard);
      expect(await statuses(5, alternate)).toEqual([200, 200, 200, 200, 200]);
      expectTooManyRequests(await requestToken(one.url, standard));
      expectTooManyRequests(await requestToken(two.url, standard));
    });

    it('locks a client id out on every replica', async () => {
      const probe = { id: 'probed', secret: 'guess' };
      const alternate = (index: number) => requestToken([one, two][index % 2].url, probe);
      expect(await statuses(3, alternate)).toEqual([401, 401, 401]);
      expectTooManyRequests(await requestToken(one.url, probe), LOCKED);
      expectTooManyRequests(await requestToken(two.url, probe), LOCKED);
    });
  });
}

describeSharedCounters('PostgreSQL', async () => {
  const database = await createTestDatabase();
  return { env: { DATABASE_URL: database.url }, cleanUp: () => database.drop() };
});

describeSharedCounters('Redis', () => {
  // A key prefix of this run, so runs (and other specs) never share counters.
  const prefix = `identity-e2e-${randomBytes(6).toString('hex')}:`;
  return Promise.resolve({
    env: { REDIS_URL: `${REDIS_URL}?keyPrefix=${encodeURIComponent(prefix)}` },
    cleanUp: () => deleteRedisKeys(prefix),
  });
});

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

describe('a counter store that fails', () => {
  it('Redis unreachable: tokens are still issued (fail open), never a 5xx', async () => {
    const identity = await startIdentity({
      env: { ...UNLIMITED, IDENTITY_RATE_LIMIT_CLIENT: '2/1m', REDIS_URL: 'redis://127.0.0.1:1' },
    });
    try {
      expect(await statuses(5, () => requestToken(identity.url, standard))).toEqual([
        200, 200, 200, 200, 200,
      ]);
      expect((await requestToken(identity.url, wrong(standard))).status).toBe(401);
      expect(identity.output()).toContain('the rate-limit counter store failed');
    } finally {
      await identity.stop();
    }
  });

  it('Redis lost while running: throttled before, tokens issued after, throttled again once back', async () => {
    const proxy = await startTcpProxy(6379);
    const prefix = `identity-e2e-${randomBytes(6).toString('hex')}:`;
    const identity = await startIdentity({
      env: {
        ...UNLIMITED,
        IDENTITY_RATE_LIMIT_CLIENT: '2/1m',
        REDIS_URL: `redis://127.0.0.1:${proxy.port}?keyPrefix=${encodeURIComponent(prefix)}`,
      },
    });
    try {
      expect(await statuses(3, () => requestToken(identity.url, standard))).toEqual([
        200, 200, 429,
      ]);
      await proxy.cut();
      expect(await statuses(5, () => requestToken(identity.url, standard))).toEqual([
        200, 200, 200, 200, 200,
      ]);
      await proxy.restore();
      expect(
        await eventually(
          async () => (await requestToken(identity.url, standard)).status === 429,
          15_000,
          250,
        ),
      ).toBe(true);
    } finally {
      await identity.stop();
      await proxy.close();
      await deleteRedisKeys(prefix);
    }
  });
});

describe('PostgreSQL lost while running', () => {
  it('tokens for cached clients are still issued (fail open), never a 5xx', async () => {
    const database = await createTestDatabase();
    const target = new URL(database.url);
    const proxy = await startTcpProxy(Number(target.port || 5432));
    target.host = `127.0.0.1:${proxy.port}`;
    const identity = await startIdentity({
      env: { ...UNLIMITED, IDENTITY_RATE_LIMIT_CLIENT: '2/1m', DATABASE_URL: target.toString() },
    });
    try {
      expect(await statuses(3, () => requestToken(identity.url, standard))).toEqual([
        200, 200, 429,
      ]);
      await proxy.cut();
      expect(await statuses(5, () => requestToken(identity.url, standard))).toEqual([
        200, 200, 200, 200, 200,
      ]);
      expect(identity.output()).toContain('the rate-limit counter store failed');
    } finally {
      await identity.stop();
      await proxy.close();
      await database.drop();
    }
  });
});

interface TcpProxy {
  readonly port: number;
  /** Closes the listener and every connection through it. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:`targetPort` that the test can cut, to simulate an outage. */
async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const listen = (): Promise<void> =>
    new Promise((done, reject) => {
      const created = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => {
        server = created;
        done();
      });
    });
  const cut = (): Promise<void> =>
    new Promise((done) => {
      for (const socket of sockets) socket.destroy();
      if (!server) return done();
      server.close(() => done());
      server = undefined;
    });

  await listen();
  return { port, cut, restore: listen, close: cut };
}
