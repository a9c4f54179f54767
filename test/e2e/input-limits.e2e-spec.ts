import fc from 'fast-check';
import { connect } from 'node:net';
import {
  presentsCredentials,
  authorizationHeaderArbitrary,
  tokenRequestArbitrary,
  type ArbitraryTokenRequest,
} from '../support/arbitraries';
import {
  TOKEN_PATH,
  basicAuthorization,
  createTestDatabase,
  getJson,
  hashSecret,
  postToken,
  rawRequest,
  startIdentity,
  startWeatherApi,
  writeConfig,
  type RunningApp,
  type RunningIdentity,
  type TestDatabase,
} from '../support';

// Input limits over real HTTP: token parameters bounded with invalid_request, arbitrary token
// requests and Authorization headers never answered with a 5xx, a hang or a token, and slow or
// idle connections closed. Both apps run with short timeouts so that the slow cases stay quick.
const REQUEST_TIMEOUT_MS = 2000;
const KEEP_ALIVE_TIMEOUT_MS = 1000;
const SHORT_TIMEOUTS = { HTTP_REQUEST_TIMEOUT: '2s', HTTP_KEEP_ALIVE_TIMEOUT: '1s' };
/** Node checks for overdue requests once a second; the rest is room for a busy machine. */
const MARGIN_MS = 3000;
/** How long any single request of the property runs may take before it counts as a hang. */
const ANSWER_WITHIN_MS = 10_000;

const clients = [
  { id: 'limits-client', secret: 'the-right-secret-5d1c0b' },
  { id: 'other-client', secret: 'another-secret-83e2f6' },
];
const config = {
  apiScopes: [{ name: 'api1' }],
  apiResources: [{ name: 'api1', scopes: ['api1'] }],
  clients: clients.map((client) => ({
    clientId: client.id,
    clientSecrets: [{ value: hashSecret(client.secret) }],
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: ['api1'],
  })),
};
const [client] = clients as [(typeof clients)[number]];

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${ANSWER_WITHIN_MS} ms`)),
      ANSWER_WITHIN_MS,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  readonly received: string;
  /** Whether the server closed the connection before `waitMs` ran out. */
  readonly closedByServer: boolean;
}

/**
 * Opens a TCP connection, writes `first`, then one byte of `trickle` every `everyMs` (a
 * slow-loris client), and reports what came back and whether the server closed the connection
 * within `waitMs`.
 */
function slowClient(
  port: number,
  {
    first,
    trickle = '',
    everyMs = 300,
    waitMs,
  }: {
    first: string;
    trickle?: string;
    everyMs?: number;
    waitMs: number;
  },
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let next = 0;
    const dripper = setInterval(() => {
      if (next < trickle.length && socket.writable) socket.write(trickle[next++] ?? '');
    }, everyMs);
    const giveUp = setTimeout(() => finish(false), waitMs);
    function finish(closedByServer: boolean): void {
      clearInterval(dripper);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ received, closedByServer });
    }
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(first));
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
  });
}

/** A status line as Node writes it when it refuses a request itself. */
const statusLine = (code: number) => new RegExp(`^HTTP/1\\.1 ${code} `);

describe('input limits', () => {
  let identity: RunningIdentity;
  let api: RunningApp;

  beforeAll(async () => {
    identity = await startIdentity({ configFile: writeConfig(config), env: SHORT_TIMEOUTS });
    api = await startWeatherApi({ env: { AUTHORITY: identity.url, ...SHORT_TIMEOUTS } });
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  describe('POST /connect/token parameters', () => {
    it.each([
      ['client_id', 201, 'the parameter client_id is longer than 200 characters'],
      ['client_secret', 513, 'the parameter client_secret is longer than 512 characters'],
      ['scope', 2001, 'the parameter scope is longer than 2000 characters'],
      ['grant_type', 257, 'the parameter grant_type is longer than 256 characters'],
      ['assertion', 8193, 'the parameter assertion is longer than 8192 characters'],
      ['client_assertion', 8193, 'the parameter client_assertion is longer than 8192 characters'],
      ['resource', 2049, 'the parameter resource is longer than 2048 characters'],
      ['audience', 1025, 'the parameter audience is longer than 1024 characters'],
    ])('refuses %s of %i characters, naming it but not echoing it', async (name, length, why) => {
      const value = 'Zq7'.repeat(length).slice(0, length);
      const response = await postToken(identity.url, {
        form: { grant_type: 'client_credentials', [name]: value },
        post: name === 'client_id' || name === 'client_secret' ? undefined : client,
      });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ error: 'invalid_request', error_description: why });
      expect(response.text).not.toContain('Zq7Zq7');
    });

    it('refuses more than 20 parameters', async () => {
      const form = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, 'x']));
      const response = await postToken(identity.url, { form, basic: client });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: 'invalid_request',
        error_description: 'the request has more than 20 parameters',
      });
    });

    it('refuses an over-long Basic header value before decoding it', async () => {
      const response = await postToken(identity.url, {
        form: { grant_type: 'client_credentials' },
        headers: { authorization: `Basic ${'QUFB'.repeat(1100)}` },
      });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: 'invalid_request',
        error_description: 'the Basic credentials value is longer than 4096 characters',
      });
    });

    it('refuses a NUL in client_id with invalid_request', async () => {
      const response = await postToken(identity.url, {
        body: 'grant_type=client_credentials&client_id=limits%00client&client_secret=x',
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({
        error: 'invalid_request',
        error_description: 'the parameter client_id contains a control character',
      });
    });

    it('reads a body that is not UTF-8 as a form, answering in the OAuth format', async () => {
      const response = await postToken(identity.url, {
        body: Buffer.from([0x80, 0xff, 0x3d, 0xfe]),
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ error: 'invalid_client' });
    });

    it('still issues tokens to honest clients at the limits', async () => {
      const response = await postToken(identity.url, {
        form: { grant_type: 'client_credentials', scope: 'api1', audience: 'a'.repeat(1024) },
        basic: client,
      });
      expect(response.status).toBe(200);
    });
  });

  describe('arbitrary input never yields a 5xx, a hang or a token (property-based)', () => {
    async function send(request: ArbitraryTokenRequest) {
      const headers: Record<string, string> = {};
      if (request.contentType !== undefined) headers['content-type'] = request.contentType;
      if (request.authorization !== undefined) headers.authorization = request.authorization;
      return withDeadline(
        rawRequest(`${identity.url}${TOKEN_PATH}`, { headers, body: request.body }),
        'POST /connect/token',
      );
    }

    const rightCredentials: ArbitraryTokenRequest = {
      contentType: 'application/x-www-form-urlencoded',
      authorization: undefined,
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.id,
        client_secret: client.secret,
      }).toString(),
    };

    it('POST /connect/token: arbitrary bodies, media types and client authentication', async () => {
      let issued = 0;
      await fc.assert(
        fc.asyncProperty(tokenRequestArbitrary(clients), async (request) => {
          const response = await send(request);
          expect(response.status).toBeLessThan(500);
          for (const { secret } of clients) expect(response.text).not.toContain(secret);
          const body = JSON.parse(response.text) as Record<string, unknown>;
          if (response.status === 200) {
            issued++;
            expect(clients.some((candidate) => presentsCredentials(request, candidate))).toBe(true);
          } else {
            expect([400, 401, 413]).toContain(response.status);
            expect(typeof body.error).toBe('string');
          }
        }),
        // 80 random runs may hold no right credentials at all: one known-good request always
        // runs too, so the check below never depends on chance.
        { numRuns: 80, examples: [[rightCredentials]] },
      );
      expect(issued).toBeGreaterThan(0);
    }, 120_000);

    it('GET /weatherforecast: arbitrary Authorization headers always get 401 with a Bearer challenge (DPoP for the DPoP scheme)', async () => {
      await fc.assert(
        fc.asyncProperty(authorizationHeaderArbitrary(), async (authorization) => {
          const response = await withDeadline(
            rawRequest(`${api.url}/weatherforecast`, {
              method: 'GET',
              headers: { authorization },
            }),
            'GET /weatherforecast',
          );
          expect(response.status).toBe(401);
          // passport-jwt's reading of a scheme and one value (RFC 9449 §7.1 for DPoP).
          const scheme = /(\S+)\s+\S+/.exec(authorization)?.[1].toLowerCase();
          expect(response.headers['www-authenticate']).toMatch(
            scheme === 'dpop'
              ? /^DPoP error="(?:invalid_token|invalid_dpop_proof)", error_description="[^"\\]*", algs="[^"\\]*"$/
              : /^Bearer(?: error="invalid_token", error_description="[^"\\]*")?$/,
          );
        }),
        { numRuns: 200 },
      );
    }, 120_000);
  });

  describe.each([
    ['identity', () => identity],
    ['weather-api', () => api],
  ])('%s: headers and slow clients', (_name, target) => {
    it('answers a 64 KiB header with 431, from Node, and keeps serving', async () => {
      const response = await rawRequest(`${target().url}/health`, {
        method: 'GET',
        headers: { 'x-padding': 'p'.repeat(64 * 1024) },
      });
      expect(response.status).toBe(431);
      expect((await getJson(`${target().url}/health`)).status).toBe(200);
    });

    it('answers a header with a NUL in it with 400, from Node', async () => {
      const exchange = await slowClient(target().port, {
        first: 'GET /health HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer a\u0000b\r\n\r\n',
        waitMs: REQUEST_TIMEOUT_MS + MARGIN_MS,
      });
      expect(exchange.received).toMatch(statusLine(400));
      expect(exchange.closedByServer).toBe(true);
    });

    it('closes a slow-loris connection (headers a byte at a time) with 408, serving others meanwhile', async () => {
      const slow = slowClient(target().port, {
        first: 'GET /health HTTP/1.1\r\nHost: localhost\r\n',
        trickle: 'X-Slow: '.padEnd(200, 'z'),
        waitMs: REQUEST_TIMEOUT_MS + MARGIN_MS,
      });
      const meanwhile = await getJson(`${target().url}/health`);
      expect(meanwhile.status).toBe(200);
      const exchange = await slow;
      expect(exchange.closedByServer).toBe(true);
      expect(exchange.received).toMatch(statusLine(408));
    });

    it('closes a connection whose request line never ends', async () => {
      const exchange = await slowClient(target().port, {
        first: 'GET /',
        trickle: 'h'.repeat(200),
        waitMs: REQUEST_TIMEOUT_MS + MARGIN_MS,
      });
      expect(exchange.closedByServer).toBe(true);
      expect(exchange.received).toMatch(statusLine(408));
    });

    it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
      const exchange = await slowClient(target().port, {
        first: 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n',
        // Node's default (5 s) would outlast this; ours (1 s) plus its 1 s buffer does not.
        waitMs: KEEP_ALIVE_TIMEOUT_MS + MARGIN_MS,
      });
      expect(exchange.received).toMatch(statusLine(200));
      expect(exchange.received).toMatch(/\r\nkeep-alive: timeout=1\r\n/i);
      expect(exchange.closedByServer).toBe(true);
    });
  });

  it('identity: cuts off a token request whose body never completes', async () => {
    const slow = slowClient(identity.port, {
      first:
        `POST ${TOKEN_PATH} HTTP/1.1\r\nHost: localhost\r\n` +
        'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n' +
        'grant_type=client_credentials&scope=',
      trickle: 'a'.repeat(100),
      waitMs: REQUEST_TIMEOUT_MS + MARGIN_MS,
    });
    const meanwhile = await postToken(identity.url, {
      form: { grant_type: 'client_credentials' },
      basic: client,
    });
    expect(meanwhile.status).toBe(200);
    const exchange = await slow;
    expect(exchange.closedByServer).toBe(true);
    expect(exchange.received).toMatch(statusLine(408));
  });

  // PostgreSQL refuses a NUL in a text parameter: were a client id with one looked up, the
  // database's error would become the client's 5xx.
  describe('on PostgreSQL', () => {
    let database: TestDatabase;
    let pgIdentity: RunningIdentity;

    beforeAll(async () => {
      database = await createTestDatabase();
      pgIdentity = await startIdentity({
        configFile: writeConfig(config),
        env: { DATABASE_URL: database.url },
      });
    });
    afterAll(async () => {
      await pgIdentity?.stop();
      await database?.drop();
    });

    it.each([
      [
        'in the form',
        { body: 'grant_type=client_credentials&client_id=a%00b&client_secret=x' },
        'the parameter client_id contains a control character',
      ],
      [
        'in the Basic credentials',
        {
          body: 'grant_type=client_credentials',
          headers: { authorization: basicAuthorization({ id: 'a\u0000b', secret: 'x' }) },
        },
        'the client id in the Basic credentials contains a control character',
      ],
    ])('refuses a client id with a NUL %s as invalid_request', async (_where, request, why) => {
      const response = await postToken(pgIdentity.url, {
        ...request,
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ error: 'invalid_request', error_description: why });
      expect(
        (
          await postToken(pgIdentity.url, {
            form: { grant_type: 'client_credentials' },
            basic: client,
          })
        ).status,
      ).toBe(200);
    });
  });
});
