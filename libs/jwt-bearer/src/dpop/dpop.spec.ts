import { Controller, Get, Logger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  RequireScopes,
  TokenClaims,
  type AccessTokenClaims,
  type JwtBearerOptions,
} from '@nest-identity/jwt-bearer';
import { FakeAuthority, TestDPoPKey, TestSigningKey } from '@nest-identity/jwt-bearer/testing';
import { DPoPReplayCache } from './dpop-replay-cache';
import { compileResourceServer } from '../resource-server.fixture';

@Controller()
class ClaimsController {
  @Get('claims')
  @RequireScopes('api1')
  claims(@TokenClaims() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }

  @Get('admin')
  @RequireScopes('admin')
  admin(): string {
    return 'admin';
  }
}

const ALGS = 'RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA Ed25519';
/** Fastify's inject sends `Host: localhost:80`. */
const HTU = 'http://localhost/claims';
const proofError = (description: string) =>
  `DPoP error="invalid_dpop_proof", error_description="${description}", algs="${ALGS}"`;

async function startApp(
  authority: FakeAuthority,
  options: Partial<JwtBearerOptions> = {},
): Promise<NestFastifyApplication> {
  const moduleRef = await compileResourceServer([ClaimsController], {
    authority: authority.issuer,
    ...options,
  });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

// RFC 9449 §7 at the resource server: the DPoP scheme, its proofs (§4.3) and the downgrade rule.
describe('DPoP-bound tokens (RFC 9449 §7)', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;
  const holder = new TestDPoPKey();

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    app = await startApp(authority);
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  const boundToken = (key: TestDPoPKey = holder, claims: Record<string, unknown> = {}) =>
    authority.signAccessToken({ claims: { cnf: { jkt: key.jkt }, ...claims } });

  function call(headers: Record<string, string | string[]>, url = '/claims') {
    return app.inject({ method: 'GET', url, headers });
  }
  function withProof(
    token: string,
    changes: Parameters<TestDPoPKey['proof']>[1] = {},
    key: TestDPoPKey = holder,
  ) {
    return call({
      authorization: `DPoP ${token}`,
      dpop: key.proof({ htm: 'GET', htu: HTU, accessToken: token }, changes),
    });
  }

  describe('accepted', () => {
    it('a DPoP-bound token with a fresh proof of its key; the claims become the user', async () => {
      const token = boundToken();
      const response = await withProof(token);

      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ cnf: { jkt: holder.jkt }, scope: 'api1' });
    });

    it('the token again (its verdict cached), with a new proof each time', async () => {
      const token = boundToken();
      expect((await withProof(token)).statusCode).toBe(200);
      expect((await withProof(token)).statusCode).toBe(200);
    });

    it.each(['dpop', 'DPOP', 'DPoP'])('the scheme written %s', async (scheme) => {
      const token = boundToken();
      const response = await call({
        authorization: `${scheme} ${token}`,
        dpop: holder.proof({ htm: 'GET', htu: HTU, accessToken: token }),
      });
      expect(response.statusCode).toBe(200);
    });

    it.each(['ES256', 'PS256', 'RS256', 'EdDSA'] as const)('a proof signed %s', async (alg) => {
      const key = new TestDPoPKey(alg);
      expect((await withProof(boundToken(key), {}, key)).statusCode).toBe(200);
    });

    it('an htu without the query and fragment of the request URL (§4.3 item 9)', async () => {
      const token = boundToken();
      const response = await call(
        {
          authorization: `DPoP ${token}`,
          dpop: holder.proof({ htm: 'GET', htu: `${HTU}#part`, accessToken: token }),
        },
        '/claims?x=1',
      );
      expect(response.statusCode).toBe(200);
    });

    it('an htu that differs only in case of scheme and host, or the default port', async () => {
      const token = boundToken();
      const response = await call({
        authorization: `DPoP ${token}`,
        dpop: holder.proof({ htm: 'GET', htu: 'HTTP://LOCALHOST:80/claims', accessToken: token }),
      });
      expect(response.statusCode).toBe(200);
    });
  });

  describe('401 invalid_dpop_proof with a DPoP challenge (§4.3, §7.1)', () => {
    function expectProofError(
      response: Awaited<ReturnType<typeof call>>,
      description: string,
    ): void {
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(proofError(description));
      expect(response.json()).toEqual({
        error: 'invalid_dpop_proof',
        error_description: description,
      });
    }

    it('no DPoP header', async () => {
      expectProofError(
        await call({ authorization: `DPoP ${boundToken()}` }),
        'the request has no DPoP proof',
      );
    });

    it('two DPoP headers', async () => {
      const token = boundToken();
      const proof = () => holder.proof({ htm: 'GET', htu: HTU, accessToken: token });
      expectProofError(
        await call({ authorization: `DPoP ${token}`, dpop: [proof(), proof()] }),
        'the request has more than one DPoP proof',
      );
    });

    it('a proof that is not a JWS', async () => {
      expectProofError(
        await call({ authorization: `DPoP ${boundToken()}`, dpop: 'not-a-jws' }),
        'the DPoP proof is not a compact JWS',
      );
    });

    it.each<[string, Parameters<TestDPoPKey['proof']>[1], string]>([
      [
        'typ other than dpop+jwt',
        { header: { typ: 'jwt' } },
        'the DPoP proof typ must be dpop+jwt',
      ],
      ['no typ', { header: { typ: undefined } }, 'the DPoP proof typ must be dpop+jwt'],
      [
        'alg none',
        { header: { alg: 'none' } },
        'the DPoP proof alg is not an accepted asymmetric algorithm',
      ],
      [
        'alg HS256',
        { header: { alg: 'HS256' } },
        'the DPoP proof alg is not an accepted asymmetric algorithm',
      ],
      ['no jwk', { header: { jwk: undefined } }, 'the DPoP proof header lacks a jwk'],
      [
        'a crit header',
        { header: { crit: ['exp'] } },
        'the DPoP proof requires JWS extensions (crit), which are not supported',
      ],
      [
        'an alg the key does not fit',
        { header: { alg: 'RS256' } },
        'the DPoP proof jwk does not fit its alg',
      ],
      [
        'a signature by another key',
        { signWith: new TestSigningKey(undefined, 'ES256') },
        'the DPoP proof signature does not verify with its jwk',
      ],
      ['no jti', { claims: { jti: undefined } }, 'the DPoP proof lacks the claim jti'],
      [
        'another method',
        { claims: { htm: 'POST' } },
        'the DPoP proof htm does not match the request method',
      ],
      [
        'another path',
        { claims: { htu: 'http://localhost/other' } },
        'the DPoP proof htu does not match the request URL',
      ],
      [
        'another host',
        { claims: { htu: 'http://api.example.com/claims' } },
        'the DPoP proof htu does not match the request URL',
      ],
      ['no htu', { claims: { htu: undefined } }, 'the DPoP proof lacks the claim htu'],
      ['no iat', { claims: { iat: undefined } }, 'the DPoP proof lacks a numeric iat'],
      [
        'an iat beyond the clock skew in the future',
        { claims: { iat: Math.floor(Date.now() / 1000) + 120 } },
        'the DPoP proof iat is in the future',
      ],
      [
        'an iat older than its lifetime and the clock skew',
        { claims: { iat: Math.floor(Date.now() / 1000) - 400 } },
        'the DPoP proof iat is too old',
      ],
      [
        'no ath',
        { claims: { ath: undefined } },
        "the DPoP proof's ath is not the hash of this token",
      ],
      [
        'the ath of another token',
        { claims: { ath: 'w6uP8Tcg6K2QR905Rms8iXTlksL6OD1KOWBxTK7wxPI' } },
        "the DPoP proof's ath is not the hash of this token",
      ],
    ])('%s', async (_case, changes, description) => {
      expectProofError(await withProof(boundToken(), changes), description);
    });

    it('a jwk with a private member', async () => {
      const privateJwk = holder.key.privateKey.export({ format: 'jwk' });
      expectProofError(
        await withProof(boundToken(), { header: { jwk: privateJwk } }),
        'the DPoP proof jwk must be a public key, without private members',
      );
    });

    it('a symmetric jwk', async () => {
      expectProofError(
        await withProof(boundToken(), { header: { jwk: { kty: 'oct', k: 'c2VjcmV0' } } }),
        'the DPoP proof jwk must be a public key, without private members',
      );
    });

    it('a proof used before (jti replay), even with a token verified before', async () => {
      const token = boundToken();
      const proof = holder.proof({ htm: 'GET', htu: HTU, accessToken: token });
      expect((await call({ authorization: `DPoP ${token}`, dpop: proof })).statusCode).toBe(200);
      expectProofError(
        await call({ authorization: `DPoP ${token}`, dpop: proof }),
        'the DPoP proof was used before',
      );
    });

    it('a cached token without a proof', async () => {
      const token = boundToken();
      expect((await withProof(token)).statusCode).toBe(200);
      expectProofError(
        await call({ authorization: `DPoP ${token}` }),
        'the request has no DPoP proof',
      );
    });
  });

  describe('401 invalid_token', () => {
    it("a proof by another key than the token's cnf.jkt (DPoP challenge)", async () => {
      const other = new TestDPoPKey();
      const response = await withProof(boundToken(), {}, other);

      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        `DPoP error="invalid_token", error_description="the token is not bound to the DPoP proof key", algs="${ALGS}"`,
      );
    });

    it('a token without cnf sent with the DPoP scheme (DPoP challenge)', async () => {
      const token = authority.signAccessToken();
      const response = await withProof(token);

      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        `DPoP error="invalid_token", error_description="the token is not DPoP-bound", algs="${ALGS}"`,
      );
    });

    it('an invalid token with the DPoP scheme gets the DPoP challenge', async () => {
      const token = boundToken(holder, { exp: Math.floor(Date.now() / 1000) - 3600 });
      const response = await withProof(token);

      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(
        new RegExp(`^DPoP error="invalid_token", error_description="[^"]+", algs="${ALGS}"$`),
      );
    });

    it('a DPoP-bound token sent as a bearer token (§7.2), first and after a verified use', async () => {
      const token = boundToken();
      const expected =
        'Bearer error="invalid_token", error_description="the token is DPoP-bound: send it with the DPoP scheme and a proof"';
      const first = await call({ authorization: `Bearer ${token}` });
      expect(first.statusCode).toBe(401);
      expect(first.headers['www-authenticate']).toBe(expected);

      expect((await withProof(token)).statusCode).toBe(200);
      const cached = await call({ authorization: `Bearer ${token}` });
      expect(cached.statusCode).toBe(401);
      expect(cached.headers['www-authenticate']).toBe(expected);
    });

    it('a cnf with a confirmation method this API cannot check', async () => {
      const token = authority.signAccessToken({ claims: { cnf: { 'x5t#S256': 'abc' } } });
      const response = await call({ authorization: `Bearer ${token}` });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: 'invalid_token',
        error_description: 'the token is bound by a confirmation method this API does not support',
      });
    });
  });

  it('403 insufficient_scope with a DPoP challenge', async () => {
    const token = boundToken();
    const response = await call(
      {
        authorization: `DPoP ${token}`,
        dpop: holder.proof({ htm: 'GET', htu: 'http://localhost/admin', accessToken: token }),
      },
      '/admin',
    );
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      `DPoP error="insufficient_scope", scope="admin", algs="${ALGS}"`,
    );
  });

  it('no token: exactly Bearer by default (RFC 6750 §3.1, kept by the contract)', async () => {
    const response = await call({});
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('503 when the replay cache is full of live proofs, rather than forget a jti', async () => {
    const replay = app.get(DPoPReplayCache);
    const firstUse = jest.spyOn(replay, 'firstUse').mockReturnValueOnce(undefined);
    const response = await withProof(boundToken());
    firstUse.mockRestore();

    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });
});

describe('DPoP options', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication | undefined;
  const holder = new TestDPoPKey();

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
  });
  afterEach(() => app?.close());
  afterAll(() => authority.close());

  it('publicUrl: the htu must be the external URL, whatever the Host header', async () => {
    app = await startApp(authority, { dpop: { publicUrl: 'https://api.example.com/weather/' } });
    const token = authority.signAccessToken({ claims: { cnf: { jkt: holder.jkt } } });
    const send = (htu: string) =>
      app!.inject({
        url: '/claims',
        headers: {
          authorization: `DPoP ${token}`,
          dpop: holder.proof({ htm: 'GET', htu, accessToken: token }),
        },
      });

    expect((await send('https://api.example.com/weather/claims')).statusCode).toBe(200);
    expect((await send(HTU)).statusCode).toBe(401);
  });

  it('challengeWithoutToken: no token gets `Bearer, DPoP algs="…"`', async () => {
    app = await startApp(authority, {
      dpop: { challengeWithoutToken: true, algorithms: ['ES256', 'EdDSA'] },
    });
    const response = await app.inject({ url: '/claims' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer, DPoP algs="ES256 EdDSA"');
    expect(response.body).toBe('');
  });

  it('algorithms: a proof alg outside the list is refused', async () => {
    app = await startApp(authority, { dpop: { algorithms: ['EdDSA'] } });
    const token = authority.signAccessToken({ claims: { cnf: { jkt: holder.jkt } } });
    const response = await app.inject({
      url: '/claims',
      headers: {
        authorization: `DPoP ${token}`,
        dpop: holder.proof({ htm: 'GET', htu: HTU, accessToken: token }),
      },
    });
    expect(response.headers['www-authenticate']).toBe(
      `DPoP error="invalid_dpop_proof", error_description="the DPoP proof alg is not an accepted asymmetric algorithm", algs="EdDSA"`,
    );
  });

  it('enabled: false: the DPoP scheme is not read, and a bound token is still no bearer token', async () => {
    app = await startApp(authority, { dpop: { enabled: false } });
    const token = authority.signAccessToken({ claims: { cnf: { jkt: holder.jkt } } });
    const dpop = await app.inject({
      url: '/claims',
      headers: {
        authorization: `DPoP ${token}`,
        dpop: holder.proof({ htm: 'GET', htu: HTU, accessToken: token }),
      },
    });
    expect(dpop.statusCode).toBe(401);
    expect(dpop.headers['www-authenticate']).toBe('Bearer');
    const bearer = await app.inject({
      url: '/claims',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearer.statusCode).toBe(401);
    expect(bearer.json()).toMatchObject({ error: 'invalid_token' });
  });
});
