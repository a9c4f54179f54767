import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aClient } from '../client.fixture';
import { ClientKeys, ClientKeysUnavailable, DefaultJwksUriPolicy } from './client-keys';

describe('ClientKeys (jwksUri)', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'k1' };
  let server: Server;
  let base: string;
  let respond: (path: string) => { status: number; body?: string; location?: string };
  let requests: string[];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const { status, body, location } = respond(request.url ?? '');
      response.writeHead(status, location ? { location } : {});
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    requests = [];
    respond = () => ({ status: 200, body: JSON.stringify({ keys: [jwk] }) });
  });

  const clock = { now: 1_000_000 };
  const keys = (production = false) =>
    new ClientKeys(production, DefaultJwksUriPolicy, () => clock.now);
  const client = (path = '/jwks') => aClient({ jwksUri: `${base}${path}` });

  it('fetches once, and serves the cached set', async () => {
    const source = keys();
    expect(await source.candidates(client(), 'ES256', 'k1')).toHaveLength(1);
    expect(await source.candidates(client(), 'ES256', undefined)).toHaveLength(1);
    expect(await source.candidates(client(), 'RS256', 'k1')).toHaveLength(0);
    expect(requests).toEqual(['/jwks']);
  });

  it('follows a redirect, and refuses http (and so a redirect to it) in production', async () => {
    respond = (path) =>
      path === '/moved'
        ? { status: 302, location: '/jwks' }
        : { status: 200, body: JSON.stringify({ keys: [jwk] }) };
    expect(await keys().candidates(client('/moved'), 'ES256', 'k1')).toHaveLength(1);
    requests = [];
    await expect(keys(true).candidates(client(), 'ES256', 'k1')).rejects.toBeInstanceOf(
      ClientKeysUnavailable,
    );
    expect(requests).toEqual([]);
  });

  it.each([
    ['an error status', { status: 500 }],
    ['a body that is not JSON', { status: 200, body: '<html>' }],
    ['a private key', { status: 200, body: JSON.stringify({ keys: [{ ...jwk, d: 'x' }] }) }],
    ['a body over 64 KiB', { status: 200, body: 'x'.repeat(70_000) }],
  ])('refuses %s when nothing is cached', async (_case, answer) => {
    respond = () => answer;
    await expect(keys().candidates(client(), 'ES256', 'k1')).rejects.toBeInstanceOf(
      ClientKeysUnavailable,
    );
  });

  it('keeps the last set read while the URI fails, and waits the cooldown for unknown kids', async () => {
    const source = keys();
    await source.candidates(client(), 'ES256', 'k1');
    respond = () => ({ status: 503 });
    clock.now += DefaultJwksUriPolicy.maxAgeMs + 1;
    expect(await source.candidates(client(), 'ES256', 'k1')).toHaveLength(1);
    expect(requests).toHaveLength(2);
    // Within the cooldown, a made-up kid asks nothing of the client's server.
    expect(await source.candidates(client(), 'ES256', 'made-up')).toHaveLength(0);
    expect(requests).toHaveLength(2);
    clock.now += DefaultJwksUriPolicy.refetchCooldownMs + 1;
    expect(await source.candidates(client(), 'ES256', 'made-up')).toHaveLength(0);
    expect(requests).toHaveLength(3);
  });
});
