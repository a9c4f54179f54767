import { Controller, Get, Logger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  RequireScopes,
  TokenClaims,
  type AccessTokenClaims,
  type JwtBearerOptions,
} from '@nest-identity/jwt-bearer';
import { FakeAuthority, TestDPoPKey } from '@nest-identity/jwt-bearer/testing';
import { TokenIntrospector } from './token-introspector';
import { compileResourceServer } from '../resource-server.fixture';

@Controller()
class ClaimsController {
  @Get('claims')
  @RequireScopes('api1')
  claims(@TokenClaims() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }
}

/** A reference token: an opaque handle, no dots. */
const HANDLE = 'f3Yq9vQm2cXo8Lr5Tn1Ws7Jd4Hk6Bz0Pe';
const SECRET = 'api1 secret: ä+&=';

async function startApp(
  authority: FakeAuthority,
  options: Partial<JwtBearerOptions> = {},
): Promise<NestFastifyApplication> {
  const moduleRef = await compileResourceServer([ClaimsController], {
    authority: authority.issuer,
    introspection: { clientSecret: SECRET },
    ...options,
  });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

// RFC 7662 from the resource server's side, against a local fake authority over real HTTP.
describe('reference tokens through introspection (RFC 7662)', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;
  /** What the fake introspection endpoint answers for HANDLE. */
  let answer: Record<string, unknown>;
  let seen: { token: string | null; credentials: unknown }[];

  const active = (changes: Record<string, unknown> = {}) => ({
    active: true,
    iss: authority.issuer,
    sub: 'client',
    client_id: 'client',
    aud: 'api1',
    scope: 'api1',
    iat: nowSeconds(),
    nbf: nowSeconds(),
    exp: nowSeconds() + 300,
    jti: 'a7f1e2c4-0d3b-4c55-9e8a-6b2f0c1d3e4f',
    ...changes,
  });

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    authority.introspect = (token, credentials) => {
      seen.push({ token, credentials });
      return { body: token === HANDLE ? answer : { active: false } };
    };
    app = await startApp(authority);
  });
  beforeEach(() => {
    seen = [];
    answer = active();
    authority.available = true;
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  /** A fresh app (an empty cache) for the cases that depend on it. */
  async function freshApp(options: Partial<JwtBearerOptions> = {}) {
    await app.close();
    app = await startApp(authority, options);
  }

  const call = (token: string, scheme = 'Bearer', headers: Record<string, string> = {}) =>
    app.inject({ url: '/claims', headers: { authorization: `${scheme} ${token}`, ...headers } });

  it('an active token: its claims, without `active`, become the user', async () => {
    await freshApp();
    const response = await call(HANDLE);

    expect(response.statusCode).toBe(200);
    const claims = { ...answer };
    delete claims.active;
    expect(response.json()).toEqual(claims);
  });

  it('authenticates with client_secret_basic as the audience, posting the token', async () => {
    await freshApp();
    await call(HANDLE);

    expect(seen).toEqual([{ token: HANDLE, credentials: { id: 'api1', secret: SECRET } }]);
  });

  it('clientId overrides the id', async () => {
    await freshApp({ introspection: { clientSecret: SECRET, clientId: 'weather' } });
    await call(HANDLE);
    expect(seen[0].credentials).toEqual({ id: 'weather', secret: SECRET });
  });

  it('a scope sent as an array counts too', async () => {
    await freshApp();
    answer = active({ scope: ['api1', 'other'] });
    expect((await call(HANDLE)).statusCode).toBe(200);
  });

  it('an answer without iat, jti, sub or client_id is accepted: RFC 7662 makes them optional', async () => {
    await freshApp();
    answer = active({ iat: undefined, jti: undefined, sub: undefined, client_id: undefined });
    expect((await call(HANDLE)).statusCode).toBe(200);
  });

  describe('401 invalid_token', () => {
    beforeAll(() => freshApp());

    it.each<[string, () => Record<string, unknown>, string]>([
      ['inactive', () => ({ active: false }), 'the token is not active'],
      [
        'for another audience',
        () => active({ aud: 'other' }),
        'the token is not valid for this audience',
      ],
      ['without aud', () => active({ aud: undefined }), 'the token is not valid for this audience'],
      [
        'another issuer',
        () => active({ iss: 'https://evil.example.com' }),
        "the token's issuer is not trusted",
      ],
      ['expired', () => active({ exp: nowSeconds() - 3600 }), 'the token expired'],
      ['without exp', () => active({ exp: undefined }), 'the token has no exp'],
      ['not valid yet', () => active({ nbf: nowSeconds() + 3600 }), 'the token is not valid yet'],
      // maxTokenLifetimeSeconds (1 day by default), as for a JWT.
      [
        'living a year',
        () => active({ exp: nowSeconds() + 365 * 86_400 }),
        "the token's lifetime is longer than this API accepts",
      ],
    ])('%s', async (_case, body, description) => {
      answer = JSON.parse(JSON.stringify(body())) as Record<string, unknown>;
      const response = await call(HANDLE);

      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        `Bearer error="invalid_token", error_description="${description}"`,
      );
    });

    it('an inactive answer is not cached', async () => {
      answer = { active: false };
      await call(HANDLE);
      await call(HANDLE);
      expect(seen).toHaveLength(2);
    });
  });

  it('403 insufficient_scope for an active token without the scope', async () => {
    await freshApp();
    answer = active({ scope: 'other' });
    const response = await call(HANDLE);
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="api1"',
    );
  });

  describe('the cache', () => {
    it('answers again for cacheSeconds without asking', async () => {
      await freshApp();
      expect((await call(HANDLE)).statusCode).toBe(200);
      expect((await call(HANDLE)).statusCode).toBe(200);
      expect(seen).toHaveLength(1);
    });

    it('asks again once cacheSeconds have passed', async () => {
      await freshApp({ introspection: { clientSecret: SECRET, cacheSeconds: 10 } });
      const start = Date.now();
      await call(HANDLE);
      jest.spyOn(Date, 'now').mockReturnValue(start + 11_000);
      await call(HANDLE);
      expect(seen).toHaveLength(2);
    });

    it("never beyond the token's exp", async () => {
      await freshApp({ introspection: { clientSecret: SECRET, cacheSeconds: 600 } });
      answer = active({ exp: nowSeconds() + 5 });
      const start = Date.now();
      await call(HANDLE);
      jest.spyOn(Date, 'now').mockReturnValue(start + 6_000);
      answer = { active: false };
      expect((await call(HANDLE)).statusCode).toBe(401);
      expect(seen).toHaveLength(2);
    });

    it('keeps a cached answer working while the authority is down', async () => {
      await freshApp();
      await call(HANDLE);
      authority.available = false;
      expect((await call(HANDLE)).statusCode).toBe(200);
    });

    it('is bounded by cacheSize, and keyed by a hash of the token, never the token', async () => {
      await freshApp({ introspection: { clientSecret: SECRET, cacheSize: 2 } });
      authority.introspect = (token) => ({ body: active({ jti: token }) });
      for (const token of ['t1', 't2', 't3', 't1']) await call(token);
      const introspector = app.get(TokenIntrospector);
      expect(introspector.size).toBe(2);
      expect(authority.requests.introspection).toBeGreaterThanOrEqual(4);
      const keys = [
        ...(introspector as unknown as { entries: Map<string, unknown> }).entries.keys(),
      ];
      expect(keys.some((key) => ['t1', 't2', 't3'].includes(key))).toBe(false);
      authority.introspect = (token, credentials) => {
        seen.push({ token, credentials });
        return { body: token === HANDLE ? answer : { active: false } };
      };
    });

    it('concurrent requests with one token share one introspection', async () => {
      await freshApp();
      const responses = await Promise.all([call(HANDLE), call(HANDLE), call(HANDLE)]);
      expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200]);
      expect(seen).toHaveLength(1);
    });
  });

  describe('503 temporarily_unavailable when the token cannot be checked', () => {
    function expectUnavailable(response: Awaited<ReturnType<typeof call>>, retryAfter = '1'): void {
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe(retryAfter);
      expect(response.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the token cannot be checked now',
      });
    }

    it('the authority is down', async () => {
      await freshApp();
      await call(authority.signAccessToken()); // discovery done while it is up
      authority.available = false;
      expectUnavailable(await call(HANDLE));
    });

    it('the authority refuses the API secret (its answer is not 200)', async () => {
      await freshApp();
      const introspect = authority.introspect;
      authority.introspect = () => ({ status: 401, body: { error: 'invalid_client' } });
      expectUnavailable(await call(HANDLE));
      authority.introspect = introspect;
    });

    it.each([{ hello: 'world' }, { active: 'true' }])(
      'the authority answers without a boolean active: %j',
      async (body) => {
        await freshApp();
        const introspect = authority.introspect;
        authority.introspect = () => ({ body });
        expectUnavailable(await call(HANDLE));
        authority.introspect = introspect;
      },
    );

    it("the authority's discovery names no introspection_endpoint", async () => {
      const introspect = authority.introspect;
      authority.introspect = undefined;
      await freshApp();
      expectUnavailable(await call(HANDLE));
      authority.introspect = introspect;
    });

    it('after a failure, the next attempt waits metadataRetrySeconds', async () => {
      await freshApp({ metadataRetrySeconds: 60 });
      await call(authority.signAccessToken());
      authority.available = false;
      expectUnavailable(await call(HANDLE), '60');
      authority.available = true;
      expectUnavailable(await call(HANDLE), '60');
      expect(seen).toHaveLength(0);
    });
  });

  it('without introspection configured, a reference token is invalid_token and nobody is asked', async () => {
    await freshApp({ introspection: undefined });
    const response = await call(HANDLE);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the token is malformed',
    });
    expect(seen).toHaveLength(0);
  });

  it('a JWT is never introspected', async () => {
    await freshApp();
    expect((await call(authority.signAccessToken())).statusCode).toBe(200);
    expect(seen).toHaveLength(0);
  });

  describe('a reference token bound to a DPoP key (cnf.jkt)', () => {
    const holder = new TestDPoPKey();

    beforeEach(async () => {
      await freshApp();
      answer = active({ cnf: { jkt: holder.jkt } });
    });

    it('is refused as a bearer token', async () => {
      const response = await call(HANDLE);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'invalid_token' });
    });

    it('is accepted with the DPoP scheme and a proof, and needs a new proof when cached', async () => {
      const proof = () =>
        holder.proof({ htm: 'GET', htu: 'http://localhost/claims', accessToken: HANDLE });
      expect((await call(HANDLE, 'DPoP', { dpop: proof() })).statusCode).toBe(200);
      expect((await call(HANDLE, 'DPoP', { dpop: proof() })).statusCode).toBe(200);
      const noProof = await call(HANDLE, 'DPoP');
      expect(noProof.statusCode).toBe(401);
      expect(noProof.json()).toMatchObject({ error: 'invalid_dpop_proof' });
      expect(seen).toHaveLength(1);
    });
  });
});
