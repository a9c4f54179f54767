import { Test } from '@nestjs/testing';
import { AuthorizedFetch } from './authorized-fetch';
import { FakeServer, issueTokens, json, type Answer } from './testing';
import { TokenClientModule } from './token-client.module';

const invalidToken = 'Bearer error="invalid_token", error_description="The token expired"';

describe('AuthorizedFetch', () => {
  let authority: FakeServer;
  let api: FakeServer;
  let authorizedFetch: AuthorizedFetch;

  beforeEach(async () => {
    authority = await new FakeServer().withDiscovery().on('/token', issueTokens()).start();
    api = await new FakeServer().start();
    const module = await Test.createTestingModule({
      imports: [
        TokenClientModule.forRoot({
          authority: authority.url,
          clientId: 'service-a',
          clientSecret: 'secret',
          requireHttps: false,
        }),
      ],
    }).compile();
    authorizedFetch = module.get(AuthorizedFetch);
  });
  afterEach(() => Promise.all([authority.stop(), api.stop()]));

  /** Answers 401 invalid_token to `rejected`, 200 to any other token. */
  function rejecting(rejected: string): Answer {
    return (request, response) =>
      request.headers.authorization === `Bearer ${rejected}`
        ? json(401, {}, { 'www-authenticate': invalidToken })(request, response)
        : json(200, { ok: true })(request, response);
  }

  const tokensSent = () => api.requests.map((request) => request.headers.authorization);

  it('sends the cached token as a Bearer token, keeping the caller’s request', async () => {
    api.on('/data', json(200, { ok: true }));
    const response = await authorizedFetch.fetch(`${api.url}/data`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: 'Basic overridden' },
      body: 'hello',
    });
    await authorizedFetch.fetch(new URL('/data', api.url));

    expect(response.status).toBe(200);
    expect(tokensSent()).toEqual(['Bearer token-1', 'Bearer token-1']);
    expect(api.requests[0]).toMatchObject({ method: 'POST', body: 'hello' });
    expect(api.requests[0].headers['content-type']).toBe('text/plain');
    expect(authority.requestsTo('/token')).toHaveLength(1);
  });

  it('on 401 invalid_token, drops the token and retries once with a new one', async () => {
    api.on('/data', rejecting('token-1'));
    const response = await authorizedFetch.fetch(`${api.url}/data`, { method: 'PUT', body: 'x' });

    expect(response.status).toBe(200);
    expect(tokensSent()).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(api.requests[1]).toMatchObject({ method: 'PUT', body: 'x' });
    expect(authority.requestsTo('/token')).toHaveLength(2);
  });

  it('retries only once: a second 401 is the caller’s answer', async () => {
    api.on('/data', json(401, { nope: true }, { 'www-authenticate': invalidToken }));
    const response = await authorizedFetch.fetch(`${api.url}/data`);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ nope: true });
    expect(api.requests).toHaveLength(2);
  });

  it('many calls rejected with the same old token renew it once', async () => {
    api.on('/data', rejecting('token-1'));
    await authorizedFetch.fetch(`${api.url}/data`);
    api.requests.length = 0;
    authority.requests.length = 0;
    api.on('/data', rejecting('token-2'));

    const responses = await Promise.all(
      Array.from({ length: 50 }, () => authorizedFetch.fetch(`${api.url}/data`)),
    );
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(authority.requestsTo('/token')).toHaveLength(1);
  });

  it.each([
    ['a 401 without an error code (no token, RFC 6750 §3.1)', 401, 'Bearer realm="api"'],
    ['a 401 for insufficient scope', 401, 'Bearer error="insufficient_scope"'],
    ['a 403', 403, 'Bearer error="invalid_token"'],
  ])('does not retry %s', async (_case, status, challenge) => {
    api.on('/data', json(status, {}, { 'www-authenticate': challenge }));
    const response = await authorizedFetch.fetch(`${api.url}/data`);

    expect(response.status).toBe(status);
    expect(api.requests).toHaveLength(1);
    expect(authority.requestsTo('/token')).toHaveLength(1);
  });

  it('does not repeat a request whose body was a stream (it is consumed)', async () => {
    api.on('/data', rejecting('token-1'));
    const body = new Blob(['streamed']).stream();
    const response = await authorizedFetch.fetch(`${api.url}/data`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);

    expect(response.status).toBe(401);
    expect(api.requests).toHaveLength(1);
  });
});
