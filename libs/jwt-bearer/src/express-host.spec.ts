import { Controller, Get, Logger, type INestApplication } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { Public, RequireScopes } from '@nest-identity/jwt-bearer';
import { FakeAuthority, TestDPoPKey } from '@nest-identity/jwt-bearer/testing';
import { compileResourceServer } from './resource-server.fixture';

@Controller()
class RoutesController {
  @Get('weather')
  @RequireScopes('api1')
  weather(): { ok: true } {
    return { ok: true };
  }

  @Get('open')
  @Public()
  open(): { ok: true } {
    return { ok: true };
  }
}

const ALGS = 'RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA Ed25519';

// Most Nest apps run on Express, Nest's default: the resource server answers there as on Fastify
// (RFC 6750 §3, RFC 9449 §7), and reads the URL of a DPoP proof as Express's `trust proxy` says.
describe.each([
  ['without trust proxy', false],
  ['with trust proxy', true],
])('the resource server on Express, %s', (_case, trustProxy) => {
  let authority: FakeAuthority;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    const moduleRef = await compileResourceServer([RoutesController], {
      authority: authority.issuer,
    });
    const express = moduleRef.createNestApplication<NestExpressApplication>(new ExpressAdapter());
    express.set('trust proxy', trustProxy);
    app = express;
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer() as { address(): AddressInfo }).address().port}`;
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { headers });

  it('200 with a valid token, never to be cached', async () => {
    const response = await get('/weather', {
      authorization: `Bearer ${authority.signAccessToken()}`,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('401 with a bare Bearer challenge without a token (RFC 6750 §3.1)', async () => {
    const response = await get('/weather');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('401 invalid_token for a token that does not verify', async () => {
    const response = await get('/weather', { authorization: 'Bearer not-a-jwt' });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate');
    expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('403 insufficient_scope naming the scope', async () => {
    const token = authority.signAccessToken({ claims: { scope: 'other' } });
    const response = await get('/weather', { authorization: `Bearer ${token}` });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="api1"',
    );
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('leaves a @Public() route alone', async () => {
    const response = await get('/open');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBeNull();
  });

  describe('a DPoP-bound token', () => {
    const holder = new TestDPoPKey();
    const bound = () => authority.signAccessToken({ claims: { cnf: { jkt: holder.jkt } } });
    const call = (token: string, htu: string, headers: Record<string, string> = {}) =>
      get('/weather?city=x', {
        authorization: `DPoP ${token}`,
        dpop: holder.proof({ htm: 'GET', htu, accessToken: token }),
        ...headers,
      });

    it("is accepted with a proof of the request's URL (Host, path, no query)", async () => {
      expect((await call(bound(), `${url}/weather`)).status).toBe(200);
    });

    it('is refused with a proof of another URL, challenged in DPoP', async () => {
      const response = await call(bound(), `${url}/other`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `DPoP error="invalid_dpop_proof", error_description="the DPoP proof htu does not match the request URL", algs="${ALGS}"`,
      );
    });

    it(`reads X-Forwarded-Proto and -Host only ${trustProxy ? 'as' : 'if'} trust proxy allows`, async () => {
      const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' };
      const response = await call(bound(), 'https://api.example.com/weather', forwarded);
      expect(response.status).toBe(trustProxy ? 200 : 401);
    });
  });
});
