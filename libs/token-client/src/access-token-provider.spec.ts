import { Test } from '@nestjs/testing';
import { AccessTokenProvider } from './access-token-provider';
import { FakeServer, issueTokens, json, type Answer } from './testing';
import { TokenEndpointError, TokenEndpointUnavailable } from './token-client.errors';
import { TokenClientModule } from './token-client.module';
import type { TokenClientOptions } from './token-client.options';

const secret = 'the-client-secret-5b1c';

async function providerFor(options: Partial<TokenClientOptions>): Promise<AccessTokenProvider> {
  const module = await Test.createTestingModule({
    imports: [
      TokenClientModule.forRoot({
        clientId: 'service-a',
        clientSecret: secret,
        scope: 'api1',
        requireHttps: false,
        ...options,
      }),
    ],
  }).compile();
  return module.get(AccessTokenProvider);
}

/** An answer that waits for `release()` before answering as `answer` does. */
function held(answer: Answer): { answer: Answer; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));
  return {
    answer: (request, response) => void released.then(() => answer(request, response)),
    release,
  };
}

describe('AccessTokenProvider', () => {
  let authority: FakeServer;
  let now: number;

  beforeEach(async () => {
    authority = await new FakeServer().withDiscovery().start();
    now = Date.parse('2026-01-01T00:00:00Z');
    // The fake clock: only the provider's notion of time moves; sockets and timers stay real.
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await authority.stop();
  });

  const tokenRequests = () => authority.requestsTo('/token').length;

  describe('caching', () => {
    it('reuses the token until refreshBeforeExpirySeconds before it expires, then fetches a new one', async () => {
      authority.on('/token', issueTokens(3600));
      const tokens = await providerFor({
        authority: authority.url,
        refreshBeforeExpirySeconds: 60,
      });

      expect(await tokens.getToken()).toBe('token-1');
      now += (3600 - 61) * 1000;
      expect(await tokens.getToken()).toBe('token-1');
      expect(tokenRequests()).toBe(1);

      now += 2000;
      expect(await tokens.getToken()).toBe('token-2');
      expect(await tokens.getToken()).toBe('token-2');
      expect(tokenRequests()).toBe(2);
    });

    it('caps the margin at half the lifetime, so a short-lived token is still reused', async () => {
      authority.on('/token', issueTokens(10));
      const tokens = await providerFor({
        authority: authority.url,
        refreshBeforeExpirySeconds: 60,
      });

      expect(await tokens.getToken()).toBe('token-1');
      now += 4900;
      expect(await tokens.getToken()).toBe('token-1');
      now += 200;
      expect(await tokens.getToken()).toBe('token-2');
    });

    it('assumes a 300-second lifetime when the authority sends no expires_in', async () => {
      authority.on('/token', json(200, { access_token: 'no-expiry', token_type: 'bearer' }));
      const tokens = await providerFor({
        authority: authority.url,
        refreshBeforeExpirySeconds: 60,
      });

      await tokens.getToken();
      now += 239_000;
      await tokens.getToken();
      expect(tokenRequests()).toBe(1);
      now += 2000;
      await tokens.getToken();
      expect(tokenRequests()).toBe(2);
    });

    it('discovers the token endpoint once and keeps it', async () => {
      authority.on('/token', issueTokens(10));
      const tokens = await providerFor({ authority: authority.url });
      for (let i = 0; i < 3; i++) {
        await tokens.getToken();
        now += 10_000;
      }
      expect(tokenRequests()).toBe(3);
      expect(authority.requestsTo('/.well-known/openid-configuration')).toHaveLength(1);
    });

    it('invalidate() makes the next call fetch a new token; with a token, only if it is the cached one', async () => {
      authority.on('/token', issueTokens());
      const tokens = await providerFor({ authority: authority.url });

      await tokens.getToken();
      tokens.invalidate('some-older-token');
      expect(await tokens.getToken()).toBe('token-1');
      tokens.invalidate('token-1');
      expect(await tokens.getToken()).toBe('token-2');
      tokens.invalidate();
      expect(await tokens.getToken()).toBe('token-3');
    });
  });

  describe('single flight', () => {
    it('1,000 concurrent callers cause one token request and all get its token', async () => {
      const { answer, release } = held(issueTokens());
      authority.on('/token', answer);
      const tokens = await providerFor({ authority: authority.url });

      const callers = Array.from({ length: 1000 }, () => tokens.getToken());
      // Every caller is waiting before the authority answers.
      await new Promise((done) => setTimeout(done, 50));
      release();

      expect(new Set(await Promise.all(callers))).toEqual(new Set(['token-1']));
      expect(tokenRequests()).toBe(1);
      expect(authority.requestsTo('/.well-known/openid-configuration')).toHaveLength(1);
    });

    it('callers arriving once the cached token is due share one renewal too', async () => {
      authority.on('/token', issueTokens(3600));
      const tokens = await providerFor({ authority: authority.url });
      await tokens.getToken();
      now += 3600 * 1000;

      const renewed = await Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));
      expect(new Set(renewed)).toEqual(new Set(['token-2']));
      expect(tokenRequests()).toBe(2);
    });
  });

  describe('failures', () => {
    it('a failed request is not cached: every waiting caller gets its error, the next caller tries again', async () => {
      const failing = held(json(503, { error: 'temporarily_unavailable' }));
      authority.on('/token', failing.answer);
      const tokens = await providerFor({ authority: authority.url });

      const waiting = Array.from({ length: 10 }, () => tokens.getToken());
      await new Promise((done) => setTimeout(done, 50));
      failing.release();
      const outcomes = await Promise.allSettled(waiting);
      expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
      expect(tokenRequests()).toBe(1);

      authority.on('/token', issueTokens());
      expect(await tokens.getToken()).toBe('token-1');
      expect(tokenRequests()).toBe(2);
    });

    it('an OAuth error becomes a TokenEndpointError carrying error, error_description and status, never the secret', async () => {
      authority.on(
        '/token',
        json(401, { error: 'invalid_client', error_description: 'Client authentication failed.' }),
      );
      const tokens = await providerFor({ authority: authority.url });

      const error = await tokens.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenEndpointError);
      expect(error).toMatchObject({
        error: 'invalid_client',
        errorDescription: 'Client authentication failed.',
        status: 401,
      });
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(String((error as Error).message)).not.toContain(secret);
    });

    it.each([
      ['a 500 without an OAuth body', json(500, { message: 'boom' })],
      ['a success without an access token', json(200, { token_type: 'Bearer' })],
      ['a token that is not a bearer token', json(200, { access_token: 'x', token_type: 'DPoP' })],
      [
        'a negative expires_in',
        json(200, { access_token: 'x', token_type: 'Bearer', expires_in: -1 }),
      ],
    ])('%s is a TokenEndpointUnavailable', async (_case, answer) => {
      authority.on('/token', answer);
      const tokens = await providerFor({ authority: authority.url });
      await expect(tokens.getToken()).rejects.toBeInstanceOf(TokenEndpointUnavailable);
    });

    it('a token endpoint that does not answer times out after requestTimeoutSeconds', async () => {
      authority.on('/token', () => undefined);
      const tokens = await providerFor({ authority: authority.url, requestTimeoutSeconds: 0.2 });
      const error = await tokens.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenEndpointUnavailable);
      expect((error as Error).message).toBe(
        `token request to ${authority.url}/token failed: timed out`,
      );
    });

    it('refuses metadata naming another issuer, and does not keep the failed discovery', async () => {
      authority.on(
        '/.well-known/openid-configuration',
        json(200, { issuer: 'https://evil.example', token_endpoint: 'https://evil.example/token' }),
      );
      const tokens = await providerFor({ authority: authority.url });
      await expect(tokens.getToken()).rejects.toThrow(/is not the authority/);

      authority.withDiscovery().on('/token', issueTokens());
      expect(await tokens.getToken()).toBe('token-1');
    });

    it('an unreachable authority is a TokenEndpointUnavailable', async () => {
      const tokens = await providerFor({ authority: 'http://127.0.0.1:1' });
      await expect(tokens.getToken()).rejects.toThrow(TokenEndpointUnavailable);
    });
  });

  describe('the token request on the wire', () => {
    it('client_secret_basic by default: form-encoded id and secret in Basic, grant and scope in the body', async () => {
      authority.on('/token', issueTokens());
      const tokens = await providerFor({
        authority: authority.url,
        clientId: 'service a',
        clientSecret: 's:ecret+',
        scope: ['api1', 'api2'],
      });
      await tokens.getToken();

      const [request] = authority.requestsTo('/token');
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from('service+a:s%3Aecret%2B').toString('base64')}`,
      );
      expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
        grant_type: 'client_credentials',
        scope: 'api1 api2',
      });
    });

    it('client_secret_post puts the credentials in the body instead', async () => {
      authority.on('/token', issueTokens());
      const tokens = await providerFor({
        tokenEndpoint: `${authority.url}/token`,
        clientAuthentication: 'client_secret_post',
        scope: undefined,
      });
      await tokens.getToken();

      const [request] = authority.requestsTo('/token');
      expect(request.headers.authorization).toBeUndefined();
      expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
        grant_type: 'client_credentials',
        client_id: 'service-a',
        client_secret: secret,
      });
      // An explicit token endpoint: no discovery at all.
      expect(authority.requestsTo('/.well-known/openid-configuration')).toHaveLength(0);
    });
  });
});
