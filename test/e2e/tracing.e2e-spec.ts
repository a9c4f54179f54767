import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  TOKEN_PATH,
  basicAuthorization,
  eventually,
  runToExit,
  seedClient,
  startForecastClient,
  startIdentity,
  startOtlpReceiver,
  startWeatherApi,
  type OtlpReceiver,
  type ReceivedSpan,
  type RunningApp,
} from '../support';

// OpenTelemetry (docs/operations.md, "Tracing"): the three built apps as real processes, each
// exporting OTLP/HTTP JSON to a receiver this test runs, configured only by the standard
// OTEL_* variables; and the same apps without them, exporting nothing and propagating nothing.

const SERVER = 2;
const CLIENT = 3;

/** A short batch delay, so spans arrive within the test's patience. */
const tracingTo = (receiver: OtlpReceiver): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '100',
});

function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('tracing on: OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let receiver: OtlpReceiver;
  let identity: RunningApp;
  let api: RunningApp;
  let client: RunningApp;

  const find = (
    service: string,
    name: string,
    where: (span: ReceivedSpan) => boolean = () => true,
  ) => receiver.spans.find((span) => span.service === service && span.name === name && where(span));
  const arrived = (service: string, name: string, where?: (span: ReceivedSpan) => boolean) =>
    eventually(() => Promise.resolve(find(service, name, where) !== undefined), 10_000, 100);

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    identity = await startIdentity({ env: tracingTo(receiver) });
    api = await startWeatherApi({ env: { ...tracingTo(receiver), AUTHORITY: identity.url } });
    client = await startForecastClient({
      env: {
        ...tracingTo(receiver),
        OTEL_SERVICE_NAME: 'service-a',
        AUTHORITY: identity.url,
        CLIENT_ID: seedClient.id,
        CLIENT_SECRET: seedClient.secret,
        SCOPE: 'api1',
        WEATHER_API_URL: api.url,
      },
    });
    const response = await fetch(`${client.url}/forecast-summary`);
    expect(response.status).toBe(200);
  });

  afterAll(async () => {
    await Promise.all([client?.stop(), api?.stop(), identity?.stop()]);
    await receiver?.close();
  });

  it("propagates the token client's trace context to the API: its server span is the call's child", async () => {
    // Each process exports on its own schedule: wait for every span this test reads.
    for (const [service, name] of [
      ['weather-api', 'GET /weatherforecast'],
      ['service-a', 'authorized fetch'],
      ['service-a', 'GET /forecast-summary'],
    ])
      expect(await arrived(service, name)).toBe(true);
    const call = find('service-a', 'authorized fetch');
    expect(call).toMatchObject({ kind: CLIENT, status: 0 });
    expect(call?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${api.url}/weatherforecast`,
      'http.response.status_code': 200,
    });
    const served = find('weather-api', 'GET /weatherforecast');
    expect(served).toMatchObject({
      kind: SERVER,
      traceId: call?.traceId,
      parentSpanId: call?.spanId,
    });
    expect(served?.attributes).toMatchObject({
      'http.route': '/weatherforecast',
      'http.response.status_code': 200,
    });
    // The forecast-client's own server span is the root of the whole trace.
    const root = find('service-a', 'GET /forecast-summary');
    expect(root?.parentSpanId).toBeUndefined();
    expect(call?.parentSpanId).toBe(root?.spanId);
  });

  it('records the token request on both sides, with the client id and the OAuth outcome, never the secret', async () => {
    expect(await arrived('identity', 'POST /connect/token')).toBe(true);
    expect(await arrived('service-a', 'token request')).toBe(true);
    const requested = find('service-a', 'token request');
    expect(requested).toMatchObject({ kind: CLIENT });
    expect(requested?.attributes).toMatchObject({
      'oauth.client_id': seedClient.id,
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    const issued = find('identity', 'POST /connect/token');
    expect(issued).toMatchObject({
      kind: SERVER,
      traceId: requested?.traceId,
      parentSpanId: requested?.spanId,
    });
    expect(issued?.attributes).toMatchObject({
      'oauth.client_id': seedClient.id,
      'oauth.grant_type': 'client_credentials',
      'oauth.outcome': 'issued',
      'http.response.status_code': 200,
    });
    const values = receiver.spans.flatMap((span) => Object.values(span.attributes).map(String));
    const basic = basicAuthorization(seedClient).replace(/^Basic /, '');
    expect(values.filter((value) => value === seedClient.secret || value.includes(basic))).toEqual(
      [],
    );
  });

  it("records the authority's store calls inside the token request", async () => {
    const issued = find('identity', 'POST /connect/token');
    for (const name of ['ClientStore.findClientById', 'SigningKeyStore.getActiveKey']) {
      expect(await arrived('identity', name, (span) => span.traceId === issued?.traceId)).toBe(
        true,
      );
      expect(find('identity', name, (span) => span.traceId === issued?.traceId)?.parentSpanId).toBe(
        issued?.spanId,
      );
    }
  });

  it("records the API's discovery and JWKS fetches, and its verification of the token", async () => {
    for (const name of ['jwks fetch', 'discovery fetch', 'access token verify'])
      expect(await arrived('weather-api', name)).toBe(true);
    const discovery = find('weather-api', 'discovery fetch');
    expect(discovery).toMatchObject({ kind: CLIENT });
    expect(discovery?.attributes).toMatchObject({
      'url.full': `${identity.url}/.well-known/openid-configuration`,
      'http.response.status_code': 200,
    });
    expect(find('weather-api', 'jwks fetch')?.attributes).toMatchObject({
      'url.full': `${identity.url}/.well-known/openid-configuration/jwks`,
    });
    // The discovery request carried its traceparent: the identity's span of it is its child.
    expect(
      await arrived(
        'identity',
        'GET /.well-known/openid-configuration',
        (span) => span.parentSpanId === discovery?.spanId,
      ),
    ).toBe(true);
    const served = find('weather-api', 'GET /weatherforecast');
    expect(find('weather-api', 'access token verify')).toMatchObject({
      traceId: served?.traceId,
      parentSpanId: served?.spanId,
    });
  });

  it('writes the trace id in the log lines written inside a span', () => {
    const served = find('weather-api', 'GET /weatherforecast');
    const line = jsonLines(api.output()).find(
      (entry) => (entry.req as { url?: string } | undefined)?.url === '/weatherforecast',
    );
    expect(line).toMatchObject({ trace_id: served?.traceId, span_id: served?.spanId });
    const issued = find('identity', 'POST /connect/token');
    expect(jsonLines(identity.output()).some((entry) => entry.trace_id === issued?.traceId)).toBe(
      true,
    );
  });

  it("continues a caller's traceparent, and records a refusal's OAuth error", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const response = await fetch(`${identity.url}${TOKEN_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuthorization({ id: seedClient.id, secret: 'wrong' }),
        traceparent: `00-${traceId}-${parentId}-01`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(401);
    expect(
      await arrived('identity', 'POST /connect/token', (span) => span.traceId === traceId),
    ).toBe(true);
    const refused = find('identity', 'POST /connect/token', (span) => span.traceId === traceId);
    expect(refused?.parentSpanId).toBe(parentId);
    expect(refused?.attributes).toMatchObject({
      'oauth.outcome': 'refused',
      'oauth.error': 'invalid_client',
      'http.response.status_code': 401,
    });
    // A client's refusal is no server error.
    expect(refused?.status).toBe(0);
    expect(refused?.attributes['oauth.client_id']).toBeUndefined();
  });

  it('makes no span for health probes', async () => {
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    await client.stop();
    await api.stop();
    // SIGTERM exports what is still batched (flushTracing) before the process exits.
    expect(receiver.spans.some((span) => span.name.includes('/health'))).toBe(false);
  });
});

/** An HTTP proxy to `port` that remembers the headers of every request it forwards. */
async function headerRecordingProxy(port: number) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((incoming, outgoing) => {
    seen.push(incoming.headers);
    const forwarded = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(forwarded);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((done) => server.close(() => done())) };
}

describe('tracing off', () => {
  it('exports nothing, sends no traceparent and writes no trace id without an exporter, or with OTEL_SDK_DISABLED', async () => {
    const receiver = await startOtlpReceiver();
    // An endpoint, but the SDK disabled; no variable at all; a service name and no exporter.
    const identity = await startIdentity({
      env: { ...tracingTo(receiver), OTEL_SDK_DISABLED: 'true' },
    });
    const api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
    const proxy = await headerRecordingProxy(api.port);
    const client = await startForecastClient({
      env: {
        OTEL_SERVICE_NAME: 'service-a',
        AUTHORITY: identity.url,
        CLIENT_ID: seedClient.id,
        CLIENT_SECRET: seedClient.secret,
        SCOPE: 'api1',
        WEATHER_API_URL: proxy.url,
      },
    });
    try {
      const response = await fetch(`${client.url}/forecast-summary`, {
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      });
      expect(response.status).toBe(200);
      expect(proxy.seen.length).toBeGreaterThan(0);
      for (const headers of proxy.seen) {
        expect(headers.traceparent).toBeUndefined();
        expect(headers.tracestate).toBeUndefined();
      }
    } finally {
      await Promise.all([client.stop(), api.stop(), identity.stop()]);
      await proxy.close();
    }
    expect(receiver.requests).toEqual([]);
    await receiver.close();
    for (const app of [identity, api, client]) {
      const lines = jsonLines(app.output());
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.filter((line) => 'trace_id' in line || 'span_id' in line)).toEqual([]);
      expect(app.output()).not.toMatch(/traceparent|opentelemetry|OTLP/i);
    }
  });

  it('refuses an exporter or a protocol it does not have, in one line', async () => {
    for (const [variable, value] of [
      ['OTEL_TRACES_EXPORTER', 'zipkin'],
      ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ]) {
      const result = await runToExit('weather-api', { [variable]: value });
      expect(result.code).not.toBe(0);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^weather-api: cannot start: .*${variable}`)),
      ]);
    }
  });
});
