import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import {
  accessTokenClaims,
  clients,
  decodeJwt,
  getJson,
  getToken,
  nowSeconds,
  readSigningKey,
  signHs256,
  signRs256,
  startIdentity,
  startWeatherApi,
  writeRichConfig,
  type RunningApp,
  type RunningIdentity,
  type WireResponse,
} from '../support';

// The weather-api as an RFC 6750 resource server and RFC 9068 token validator. Real tokens come
// from a real identity; tokens it would never issue are signed here with its own key, read from
// its data dir, so each case differs from a valid token in exactly one respect.
const DAY = 86_400;

describe('weather-api: bearer token validation', () => {
  let identity: RunningIdentity;
  let api: RunningApp;
  /**
   * Settings other than the defaults: AUDIENCE=other, CLOCK_SKEW=0, and for a foreign authority
   * REQUIRED_CLAIMS without sub and MAX_TOKEN_LIFETIME_SECONDS of a week.
   */
  let strictApi: RunningApp;
  let signingKey: KeyObject;
  let kid: string;

  beforeAll(async () => {
    identity = await startIdentity({ configFile: writeRichConfig() });
    [api, strictApi] = await Promise.all([
      startWeatherApi({ env: { AUTHORITY: identity.url } }),
      startWeatherApi({
        env: {
          AUTHORITY: identity.url,
          AUDIENCE: 'other',
          CLOCK_SKEW: '0',
          REQUIRED_CLAIMS: 'iat,jti,client_id',
          MAX_TOKEN_LIFETIME_SECONDS: String(7 * DAY),
        },
      }),
    ]);
    signingKey = readSigningKey(identity.dataDir);
    kid = decodeJwt(await getToken(identity.url, clients.standard)).header.kid as string;
  });
  afterAll(() => Promise.all([api?.stop(), strictApi?.stop(), identity?.stop()]));

  function forecast(target: RunningApp, headers: Record<string, string> = {}, query = '') {
    return getJson(`${target.url}/weatherforecast${query}`, { headers });
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** A token as the identity would issue it, with `claims` and `header` changed. */
  function forge(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
    return signRs256(
      { typ: 'at+jwt', kid, ...header },
      accessTokenClaims(identity.url, claims),
      signingKey,
    );
  }

  function expectInvalidToken(response: WireResponse): void {
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer error="invalid_token", error_description="[^"]+"$/,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
  }

  describe('accepted', () => {
    it('a token from the identity', async () => {
      const response = await forecast(api, bearer(await getToken(identity.url, clients.standard)));

      expect(response.status).toBe(200);
      expect(response.json).toHaveLength(5);
      // For this token's holder only: no cache on the way may keep it.
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('a token forged here as the identity would issue it (the control for the cases below)', async () => {
      expect((await forecast(api, bearer(forge()))).status).toBe(200);
    });

    it.each(['bearer', 'BEARER', 'BeArEr'])('the scheme written %s', async (scheme) => {
      const token = await getToken(identity.url, clients.standard);

      expect((await forecast(api, { authorization: `${scheme} ${token}` })).status).toBe(200);
    });

    it('aud as an array holding the audience (a token for two resources)', async () => {
      const token = await getToken(identity.url, clients.twoResources);

      expect(decodeJwt(token).payload.aud).toEqual(['api1', 'api2']);
      expect((await forecast(api, bearer(token))).status).toBe(200);
    });

    it('the scope claim as a JSON array (IdentityServer style)', async () => {
      expect((await forecast(api, bearer(forge({ scope: ['api2', 'api1'] })))).status).toBe(200);
    });

    it('typ application/at+jwt (RFC 9068 §2.1)', async () => {
      const token = forge({}, { typ: 'application/at+jwt' });

      expect((await forecast(api, bearer(token))).status).toBe(200);
    });

    it('exp passed by less than CLOCK_SKEW (60 s by default)', async () => {
      const token = forge({
        iat: nowSeconds() - 330,
        nbf: nowSeconds() - 330,
        exp: nowSeconds() - 30,
      });

      expect((await forecast(api, bearer(token))).status).toBe(200);
    });

    it('by an API with AUDIENCE=other, a token whose aud is other', async () => {
      expect((await forecast(strictApi, bearer(forge({ aud: 'other' })))).status).toBe(200);
    });

    it('a lifetime of exactly MAX_TOKEN_LIFETIME_SECONDS (1 day by default)', async () => {
      expect((await forecast(api, bearer(forge({ exp: nowSeconds() + DAY })))).status).toBe(200);
    });

    it('by an API with REQUIRED_CLAIMS=iat,jti,client_id and a week as the maximum: no sub, 6 days', async () => {
      const token = forge({ aud: 'other', sub: undefined, exp: nowSeconds() + 6 * DAY });

      expect((await forecast(strictApi, bearer(token))).status).toBe(200);
    });
  });

  describe('401 without a token: WWW-Authenticate exactly Bearer (RFC 6750 §3.1)', () => {
    it.each<[string, Record<string, string>]>([
      ['no Authorization header', {}],
      ['another scheme', { authorization: 'Basic Y2xpZW50OnNlY3JldA==' }],
    ])('%s', async (_, headers) => {
      const response = await forecast(api, headers);

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('a token in the query string is ignored', async () => {
      const token = await getToken(identity.url, clients.standard);
      const response = await forecast(api, {}, `?access_token=${token}`);

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });
  });

  describe('401 invalid_token', () => {
    it('not a JWT', async () => {
      expectInvalidToken(await forecast(api, bearer('not-a-jwt')));
    });

    it('expired beyond the clock skew', async () => {
      const now = nowSeconds();
      expectInvalidToken(
        await forecast(api, bearer(forge({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 }))),
      );
    });

    it('expired by 30 s for an API with CLOCK_SKEW=0', async () => {
      const now = nowSeconds();
      const token = forge({ aud: 'other', iat: now - 330, nbf: now - 330, exp: now - 30 });

      expectInvalidToken(await forecast(strictApi, bearer(token)));
    });

    it('not yet valid (nbf in 10 minutes)', async () => {
      const now = nowSeconds();
      expectInvalidToken(
        await forecast(api, bearer(forge({ iat: now, nbf: now + 600, exp: now + 900 }))),
      );
    });

    it.each(['iat', 'jti', 'sub', 'client_id'])(
      'without %s, which RFC 9068 §2.2 requires (REQUIRED_CLAIMS, all by default)',
      async (claim) => {
        const response = await forecast(api, bearer(forge({ [claim]: undefined })));

        expectInvalidToken(response);
        expect(response.json).toEqual({
          error: 'invalid_token',
          error_description: `the token has no ${claim}`,
        });
      },
    );

    it('by an API with REQUIRED_CLAIMS=iat,jti,client_id, a token without jti', async () => {
      expectInvalidToken(
        await forecast(strictApi, bearer(forge({ aud: 'other', jti: undefined }))),
      );
    });

    it.each<[string, () => Record<string, unknown>, () => RunningApp]>([
      ['exp 100 years out', () => ({ exp: nowSeconds() + 36_500 * DAY }), () => api],
      ['exp - iat one second over a day', () => ({ exp: nowSeconds() + DAY + 1 }), () => api],
      [
        'exp 8 days out, at an API whose maximum is a week',
        () => ({ aud: 'other', exp: nowSeconds() + 8 * DAY }),
        () => strictApi,
      ],
    ])('a lifetime over MAX_TOKEN_LIFETIME_SECONDS: %s', async (_case, claims, target) => {
      const response = await forecast(target(), bearer(forge(claims())));

      expectInvalidToken(response);
      expect(response.json).toMatchObject({
        error_description: "the token's lifetime is longer than this API accepts",
      });
    });

    it('the wrong audience: a real api1 token at an API with AUDIENCE=other', async () => {
      const token = await getToken(identity.url, clients.standard);

      expectInvalidToken(await forecast(strictApi, bearer(token)));
    });

    it('the wrong audience, forged', async () => {
      expectInvalidToken(await forecast(api, bearer(forge({ aud: 'api2' }))));
    });

    it('the wrong issuer', async () => {
      expectInvalidToken(await forecast(api, bearer(forge({ iss: 'https://evil.example.test' }))));
    });

    it('a bad signature (one claim changed after signing)', async () => {
      const [header, , signature] = (await getToken(identity.url, clients.readOnly)).split('.');
      const payload = Buffer.from(
        JSON.stringify({ ...decodeJwt(forge()).payload, scope: 'api1' }),
      ).toString('base64url');

      expectInvalidToken(await forecast(api, bearer(`${header}.${payload}.${signature}`)));
    });

    it('alg HS256 keyed with the public key (algorithm confusion)', async () => {
      const publicPem = createPublicKey(signingKey).export({ format: 'pem', type: 'spki' });
      const valid = decodeJwt(forge());

      expectInvalidToken(
        await forecast(api, bearer(signHs256(valid.header, valid.payload, publicPem))),
      );
    });

    it('alg none', async () => {
      const valid = decodeJwt(forge());
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const token = `${encode({ ...valid.header, alg: 'none' })}.${encode(valid.payload)}.`;

      expectInvalidToken(await forecast(api, bearer(token)));
    });

    it('typ JWT (not an access token, RFC 9068 §4)', async () => {
      expectInvalidToken(await forecast(api, bearer(forge({}, { typ: 'JWT' }))));
    });

    it('an unknown kid', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = signRs256(
        { typ: 'at+jwt', kid: 'unknown-kid' },
        decodeJwt(forge()).payload,
        privateKey,
      );

      expectInvalidToken(await forecast(api, bearer(token)));
    });

    it("the identity's kid on a signature by another key", async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = signRs256({ typ: 'at+jwt', kid }, decodeJwt(forge()).payload, privateKey);

      expectInvalidToken(await forecast(api, bearer(token)));
    });
  });

  describe('403 insufficient_scope', () => {
    it('a valid api1 token without the scope api1', async () => {
      const token = await getToken(identity.url, clients.readOnly);
      expect(decodeJwt(token).payload).toMatchObject({ aud: 'api1', scope: 'weather.read' });

      const response = await forecast(api, bearer(token));

      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="api1"',
      );
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('the scope claim as a JSON array without api1', async () => {
      const response = await forecast(api, bearer(forge({ scope: ['weather.read'] })));

      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="api1"',
      );
    });

    it('no scope claim at all', async () => {
      const response = await forecast(api, bearer(forge({ scope: undefined })));

      expect(response.status).toBe(403);
    });
  });
});
