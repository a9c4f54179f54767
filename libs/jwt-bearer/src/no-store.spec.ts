import { Controller, Get, Header, Logger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public, RequireScopes } from '@nest-identity/jwt-bearer';
import { FakeAuthority } from '@nest-identity/jwt-bearer/testing';
import { markNoStore } from './no-store';
import { compileResourceServer } from './resource-server.fixture';

@Controller()
class RoutesController {
  @Get('protected')
  @RequireScopes('api1')
  protectedRoute(): { ok: true } {
    return { ok: true };
  }

  @Get('open')
  @Public()
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('cacheable')
  @Header('Cache-Control', 'private, max-age=60')
  cacheable(): { ok: true } {
    return { ok: true };
  }
}

// Protected responses are for one token's holder: no cache may store them (issue 12, point 11).
describe('Cache-Control: no-store on the responses of protected routes', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    const moduleRef = await compileResourceServer([RoutesController], {
      authority: authority.issuer,
    });
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  const get = (url: string, token?: string) =>
    app.inject({
      url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  it('on a 200, verified in full and then admitted from the verified-token cache', async () => {
    const token = authority.signAccessToken();
    for (let i = 0; i < 2; i++) {
      const response = await get('/protected', token);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it.each<[string, () => string | undefined, number]>([
    ['no token', () => undefined, 401],
    ['an invalid token', () => 'not-a-jwt', 401],
    [
      'a token without the scope (ScopesGuard)',
      () => authority.signAccessToken({ claims: { scope: 'other' } }),
      403,
    ],
  ])('on the refusal of %s', async (_case, token, status) => {
    const response = await get('/protected', token());
    expect(response.statusCode).toBe(status);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('not on a @Public() route: its caching is its own business', async () => {
    const response = await get('/open');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBeUndefined();
  });

  it("a handler's own Cache-Control wins", async () => {
    const response = await get('/cacheable', authority.signAccessToken());
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('private, max-age=60');
  });

  it('markNoStore sets it through Fastify/Express `header` or Node `setHeader`', () => {
    const header = jest.fn();
    const setHeader = jest.fn();
    markNoStore({ header });
    markNoStore({ setHeader });
    markNoStore(undefined);
    expect(header).toHaveBeenCalledWith('cache-control', 'no-store');
    expect(setHeader).toHaveBeenCalledWith('cache-control', 'no-store');
  });
});
