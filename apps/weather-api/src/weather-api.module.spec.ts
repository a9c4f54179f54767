import { Logger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AccessTokenRequiredClaims } from '@nest-identity/shared';
import {
  FakeAuthority,
  TestDPoPKey,
  TestSigningKey,
  type TestAlgorithm,
  type TokenChanges,
} from '@nest-identity/jwt-bearer/testing';
import { weatherApiConfig, type WeatherApiSettings } from './config/weather-api.config';
import { WeatherApiModule } from './weather-api.module';

/** The weather-api in-process against a local authority: the contract's "weather-api behaviour". */
describe('weather-api', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    app = await startWeatherApi({ authority: authority.issuer });
  });
  afterEach(() => (authority.available = true));
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  const forecast = (headers: Record<string, string> = {}, url = '/weatherforecast') =>
    app.inject({ method: 'GET', url, headers });
  const withToken = (changes?: TokenChanges) =>
    forecast({ authorization: `Bearer ${authority.signAccessToken(changes)}` });

  it('returns five forecasts for a valid token', async () => {
    const response = await withToken();
    expect(response.statusCode).toBe(200);
    const forecasts = response.json<Record<string, unknown>[]>();
    expect(forecasts).toHaveLength(5);
    for (const day of forecasts)
      expect(day).toEqual({
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        temperatureC: expect.any(Number),
        temperatureF: expect.any(Number),
        summary: expect.any(String),
      });
  });

  it('answers GET /health without a token', async () => {
    const response = await forecast({}, '/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  describe('without a token: 401 and a bare Bearer challenge (RFC 6750 §3.1)', () => {
    it.each([
      ['no Authorization header', {}],
      ['another scheme', { authorization: 'Basic Y2xpZW50OnNlY3JldA==' }],
    ])('%s', async (_case, headers) => {
      const response = await forecast(headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.body).toBe('');
    });

    it('ignores a token in the query string', async () => {
      const token = authority.signAccessToken();
      const response = await forecast({}, `/weatherforecast?access_token=${token}`);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('the scheme name is case-insensitive', () => {
    it.each(['bearer', 'BEARER'])('%s', async (scheme) => {
      const response = await forecast({
        authorization: `${scheme} ${authority.signAccessToken()}`,
      });
      expect(response.statusCode).toBe(200);
    });
  });

  // Before the made-up kids below: once a refetch has not found a kid, a new key published since
  // waits for the JWKS refresh cooldown (30 s) to be seen.
  describe('the algorithms the identity signs with', () => {
    it.each<TestAlgorithm>(['PS256', 'ES256', 'EdDSA'])('a token signed %s', async (alg) => {
      const key = new TestSigningKey(undefined, alg);
      authority.publishedKeys = [authority.signingKey, key];
      try {
        const token = authority.signAccessToken({ key });
        expect((await forecast({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
        // Served again from the verified-token cache; refused once its signature is swapped.
        expect((await forecast({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
        const [header, payload] = token.split('.');
        const forged = `${header}.${payload}.${authority.signAccessToken().split('.')[2]}`;
        expect((await forecast({ authorization: `Bearer ${forged}` })).statusCode).toBe(401);
      } finally {
        authority.publishedKeys = [authority.signingKey];
      }
    });

    it('refuses an EdDSA header on a token whose kid names an RSA key', async () => {
      const response = await withToken({ header: { alg: 'EdDSA' } });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: 'invalid_token',
        error_description: "the token's alg does not fit its signing key",
      });
    });
  });

  describe('an invalid token: 401 invalid_token', () => {
    const now = () => Math.floor(Date.now() / 1000);
    it.each<[string, () => TokenChanges, string]>([
      [
        'another audience',
        () => ({ claims: { aud: 'api2' } }),
        'the token is not valid for this audience',
      ],
      [
        'no audience',
        () => ({ claims: { aud: undefined } }),
        'the token is not valid for this audience',
      ],
      [
        'another issuer',
        () => ({ claims: { iss: 'http://evil.example.com' } }),
        "the token's issuer is not trusted",
      ],
      [
        'expired beyond the clock skew',
        () => ({ claims: { exp: now() - 61 } }),
        'the token expired',
      ],
      [
        'not valid yet beyond the clock skew',
        () => ({ claims: { nbf: now() + 120 } }),
        'the token is not valid yet',
      ],
      ['no exp', () => ({ claims: { exp: undefined } }), 'the token has no exp'],
      // RFC 9068 §2.2 requires these too (REQUIRED_CLAIMS, all four by default).
      ['no iat', () => ({ claims: { iat: undefined } }), 'the token has no iat'],
      ['no jti', () => ({ claims: { jti: undefined } }), 'the token has no jti'],
      ['no sub', () => ({ claims: { sub: undefined } }), 'the token has no sub'],
      ['no client_id', () => ({ claims: { client_id: undefined } }), 'the token has no client_id'],
      // MAX_TOKEN_LIFETIME_SECONDS, 1 day by default.
      [
        'an exp 100 years out',
        () => ({ claims: { exp: now() + 100 * 365 * 86_400 } }),
        "the token's lifetime is longer than this API accepts",
      ],
      [
        'issued 2 days ago to live 2 days and a second',
        () => ({ claims: { iat: now() - 2 * 86_400, nbf: undefined, exp: now() + 1 } }),
        "the token's lifetime is longer than this API accepts",
      ],
      [
        'HS256 signed with the public key as secret',
        () => ({ hmacSecret: authority.signingKey.publicKeyPem }),
        "the token's alg is not allowed",
      ],
      ['alg none', () => ({ header: { alg: 'none' } }), "the token's alg is not allowed"],
      ['typ JWT', () => ({ header: { typ: 'JWT' } }), "the token's typ must be at+jwt"],
      ['no typ', () => ({ header: { typ: undefined } }), "the token's typ must be at+jwt"],
      [
        'an unknown kid',
        () => ({ key: new TestSigningKey() }),
        "the token's signing key is unknown",
      ],
      [
        'a known kid but another key',
        () => ({ key: new TestSigningKey(authority.signingKey.kid) }),
        'signature verification failed',
      ],
    ])('%s', async (_case, changes, description) => {
      const response = await withToken(changes());
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        `Bearer error="invalid_token", error_description="${description}"`,
      );
      expect(response.json()).toEqual({ error: 'invalid_token', error_description: description });
    });

    it('a token that is not a JWT', async () => {
      const response = await forecast({ authorization: 'Bearer not-a-jwt' });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: 'invalid_token',
        error_description: 'the token is malformed',
      });
    });
  });

  describe('accepted variations', () => {
    it.each<[string, TokenChanges]>([
      ['typ application/at+jwt in any case', { header: { typ: 'Application/AT+JWT' } }],
      ['an audience array holding api1', { claims: { aud: ['api2', 'api1'] } }],
      ['a scope array (IdentityServer style)', { claims: { scope: ['openid', 'api1'] } }],
      ['expired within the clock skew', { claims: { exp: Math.floor(Date.now() / 1000) - 30 } }],
      ['a lifetime of exactly 1 day', { claims: { exp: Math.floor(Date.now() / 1000) + 86_400 } }],
    ])('%s', async (_case, changes) => {
      expect((await withToken(changes)).statusCode).toBe(200);
    });
  });

  it('answers 403 insufficient_scope to a valid token without the scope', async () => {
    const response = await withToken({ claims: { scope: 'api2' } });
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="api1"',
    );
    expect(response.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'the token lacks the scope api1',
    });
  });

  it('keeps accepting tokens while the authority is down', async () => {
    expect((await withToken()).statusCode).toBe(200);
    authority.available = false;
    expect((await withToken()).statusCode).toBe(200);
  });
});

/** REQUIRED_CLAIMS and MAX_TOKEN_LIFETIME_SECONDS: an authority that issues differently. */
describe('weather-api for a foreign authority', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    app = await startWeatherApi({
      authority: authority.issuer,
      // IdentityServer's client-credentials tokens have no sub.
      requiredClaims: ['iat', 'jti', 'client_id'],
      maxTokenLifetimeSeconds: 7 * 86_400,
    });
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  const statusOf = async (changes: TokenChanges) =>
    (
      await app.inject({
        url: '/weatherforecast',
        headers: { authorization: `Bearer ${authority.signAccessToken(changes)}` },
      })
    ).statusCode;

  it('accepts a token without the claims REQUIRED_CLAIMS leaves out, refuses one without the rest', async () => {
    expect(await statusOf({ claims: { sub: undefined } })).toBe(200);
    expect(await statusOf({ claims: { jti: undefined } })).toBe(401);
  });

  it('accepts the lifetime MAX_TOKEN_LIFETIME_SECONDS allows, and not beyond', async () => {
    expect(await statusOf({ claims: { exp: now() + 6 * 86_400 } })).toBe(200);
    expect(await statusOf({ claims: { exp: now() + 8 * 86_400 } })).toBe(401);
  });
});

/** API_SECRET and PUBLIC_URL: reference tokens through introspection, DPoP behind a proxy. */
describe('weather-api with API_SECRET and PUBLIC_URL', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;
  const holder = new TestDPoPKey();
  const handle = 'reference-handle-0123456789abcdef';
  let credentials: unknown;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    authority.introspect = (token, basic) => {
      credentials = basic;
      const now = Math.floor(Date.now() / 1000);
      return {
        body:
          token === handle
            ? { active: true, iss: authority.issuer, aud: 'api1', scope: 'api1', exp: now + 60 }
            : { active: false },
      };
    };
    app = await startWeatherApi({
      authority: authority.issuer,
      apiSecret: 'the-api1-secret',
      publicUrl: 'https://weather.example.com',
    });
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  it('resolves a reference token, authenticating as AUDIENCE with API_SECRET', async () => {
    const response = await app.inject({
      url: '/weatherforecast',
      headers: { authorization: `Bearer ${handle}` },
    });
    expect(response.statusCode).toBe(200);
    expect(credentials).toEqual({ id: 'api1', secret: 'the-api1-secret' });
    const inactive = await app.inject({
      url: '/weatherforecast',
      headers: { authorization: 'Bearer unknown-handle' },
    });
    expect(inactive.statusCode).toBe(401);
  });

  it('accepts a DPoP proof whose htu is PUBLIC_URL and the path', async () => {
    const token = authority.signAccessToken({ claims: { cnf: { jkt: holder.jkt } } });
    const response = await app.inject({
      url: '/weatherforecast?days=5',
      headers: {
        authorization: `DPoP ${token}`,
        dpop: holder.proof({
          htm: 'GET',
          htu: 'https://weather.example.com/weatherforecast',
          accessToken: token,
        }),
      },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('weather-api started while the authority is down', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterEach(async () => {
    await app.close();
    await authority.close();
  });

  it('answers 503 with Retry-After until the authority is reachable, then validates with no restart', async () => {
    authority = await FakeAuthority.start();
    authority.available = false;
    app = await startWeatherApi({ authority: authority.issuer });
    const token = authority.signAccessToken();
    const forecast = () =>
      app.inject({ url: '/weatherforecast', headers: { authorization: `Bearer ${token}` } });

    const refused = await forecast();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the token cannot be checked now',
    });

    authority.available = true;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the discovery retry cooldown
    expect((await forecast()).statusCode).toBe(200);
  });
});

async function startWeatherApi(
  settings: Partial<WeatherApiSettings>,
): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [WeatherApiModule] })
    .overrideProvider(weatherApiConfig.KEY)
    .useValue({
      port: 0,
      authority: 'http://127.0.0.1:1',
      audience: 'api1',
      clockSkewSeconds: 60,
      requiredClaims: AccessTokenRequiredClaims,
      maxTokenLifetimeSeconds: 86_400,
      keyCacheSeconds: 600,
      requireHttpsMetadata: false,
      openApiTokenUrl: undefined,
      apiSecret: undefined,
      introspectionCacheSeconds: 30,
      publicUrl: undefined,
      server: { logLevel: 'silent', shutdownGracePeriodMs: 1000, production: false },
      ...settings,
    } satisfies WeatherApiSettings)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
