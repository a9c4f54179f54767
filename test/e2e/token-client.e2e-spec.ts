import { request as httpRequest, createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import {
  TOKEN_PATH,
  basicAuthorization,
  eventually,
  freePort,
  getJson,
  rememberSecrets,
  seedClient,
  seedConfigFile,
  startForecastClient,
  startIdentity,
  startWeatherApi,
  writeConfig,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// The token client (libs/token-client) in its example service, forecast-client ("service A"),
// calling the weather-api with the seed client's credentials; all three are the built apps as
// real processes. An HTTP proxy in front of the identity (its ISSUER, so discovery sends every
// token request through it) counts the token requests and remembers each issued token for the
// log-secrecy scan: forecast-client's logs must hold neither its secret nor its tokens.

/** An HTTP proxy to the identity that counts the token requests going through it. */
interface CountingProxy {
  readonly url: string;
  /** Token requests the identity answered with a token. */
  tokensIssued(): number;
  close(): Promise<void>;
}

async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let issued = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const forwarded = httpRequest(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          if (incoming.url === TOKEN_PATH && answer.statusCode === 200) {
            issued++;
            rememberSecrets(
              (JSON.parse(body.toString('utf8')) as { access_token: string }).access_token,
            );
          }
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          outgoing.end(body);
        });
      },
    );
    forwarded.on('error', () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://localhost:${port}`,
    tokensIssued: () => issued,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

interface ForecastSummary {
  count: number;
  forecasts: { date: string; temperatureC: number; temperatureF: number; summary: string }[];
}

/** The identity (behind the counting proxy) and a weather-api trusting it, for one config file. */
async function startAuthorityAndApi(configFile: string) {
  const identityPort = await freePort();
  const proxy = await startCountingProxy(identityPort);
  const identity = await startIdentity({
    port: identityPort,
    configFile,
    env: { ISSUER: proxy.url },
  });
  const api = await startWeatherApi({ env: { AUTHORITY: proxy.url } });
  const startClient = () =>
    startForecastClient({
      env: {
        AUTHORITY: proxy.url,
        CLIENT_ID: seedClient.id,
        CLIENT_SECRET: seedClient.secret,
        SCOPE: 'api1',
        WEATHER_API_URL: api.url,
      },
    });
  return { proxy, identity, api, startClient };
}

// forecast-client sends the seed client's Basic credentials; "secret" alone is too short to scan.
rememberSecrets(basicAuthorization(seedClient).replace(/^Basic /, ''));

describe('token client: service A calls the weather-api with a cached token', () => {
  let proxy: CountingProxy;
  let identity: RunningIdentity;
  let api: RunningApp;
  let startClient: () => Promise<RunningApp>;
  let client: RunningApp | undefined;

  beforeAll(async () => {
    ({ proxy, identity, api, startClient } = await startAuthorityAndApi(seedConfigFile));
  });
  afterEach(() => client?.stop());
  afterAll(async () => {
    await Promise.all([api?.stop(), identity?.stop()]);
    await proxy?.close();
  });

  it('GET /forecast-summary returns the weather-api’s forecasts', async () => {
    client = await startClient();
    const before = proxy.tokensIssued();

    const response = await getJson(`${client.url}/forecast-summary`);

    expect(response.status).toBe(200);
    const summary = response.json as ForecastSummary;
    expect(summary.count).toBe(5);
    expect(summary.forecasts).toHaveLength(5);
    for (const forecast of summary.forecasts) {
      expect(forecast).toEqual({
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        temperatureC: expect.any(Number),
        temperatureF: 32 + Math.trunc(forecast.temperatureC / 0.5556),
        summary: expect.any(String),
      });
    }
    expect(proxy.tokensIssued() - before).toBe(1);
  });

  it('1,000 concurrent calls on a cold client cause exactly one token request', async () => {
    client = await startClient();
    const url = `${client.url}/forecast-summary`;
    const before = proxy.tokensIssued();

    const responses = await Promise.all(Array.from({ length: 1000 }, () => getJson(url)));

    expect(responses.filter((response) => response.status !== 200)).toEqual([]);
    expect(proxy.tokensIssued() - before).toBe(1);
    // The identity saw it too: one audit event for the seed client since this client started.
    const auditLines = () =>
      identity
        .output()
        .split('\n')
        .filter((line) => line.includes('"audit.token.issued"'));
    expect(
      await eventually(() => Promise.resolve(auditLines().length === proxy.tokensIssued()), 5000),
    ).toBe(true);
  }, 120_000);

  it('a wrong secret is a 502 from service A, and neither the secret nor a token is logged', async () => {
    const wrongSecret = 'wrong-secret-for-forecast-8c2f';
    rememberSecrets(wrongSecret, basicAuthorization({ ...seedClient, secret: wrongSecret }));
    client = await startForecastClient({
      env: {
        AUTHORITY: proxy.url,
        CLIENT_ID: seedClient.id,
        CLIENT_SECRET: wrongSecret,
        WEATHER_API_URL: api.url,
      },
    });

    const response = await getJson(`${client.url}/forecast-summary`);

    expect(response.status).toBe(502);
    expect(response.text).not.toContain(wrongSecret);
    expect(
      await eventually(() => Promise.resolve(client!.output().includes('invalid_client')), 5000),
    ).toBe(true);
    expect(client.output()).not.toContain(wrongSecret);
  });
});

describe('token client: a token is renewed once its expiry window is reached', () => {
  const lifetimeSeconds = 4;
  let proxy: CountingProxy;
  let identity: RunningIdentity;
  let api: RunningApp;
  let client: RunningApp;

  beforeAll(async () => {
    // The seed configuration, the seed client's tokens living 4 s: renewed 2 s after issue.
    const seed = JSON.parse(readFileSync(seedConfigFile, 'utf8')) as {
      clients: Record<string, unknown>[];
    };
    seed.clients = seed.clients.map((c) => ({ ...c, accessTokenLifetime: lifetimeSeconds }));
    let startClient: () => Promise<RunningApp>;
    ({ proxy, identity, api, startClient } = await startAuthorityAndApi(writeConfig(seed)));
    client = await startClient();
  });
  afterAll(async () => {
    await Promise.all([client?.stop(), api?.stop(), identity?.stop()]);
    await proxy?.close();
  });

  it('reuses the token within the window, then fetches one new token', async () => {
    const summary = () => getJson(`${client.url}/forecast-summary`).then((r) => r.status);

    expect(await summary()).toBe(200);
    expect(await summary()).toBe(200);
    expect(proxy.tokensIssued()).toBe(1);

    // Keep calling until the window has passed: then a second token, and not one per call.
    const renewed = await eventually(
      async () => (await summary()) === 200 && proxy.tokensIssued() > 1,
      15_000,
      250,
    );
    expect(renewed).toBe(true);
    expect(proxy.tokensIssued()).toBe(2);
  });
});
