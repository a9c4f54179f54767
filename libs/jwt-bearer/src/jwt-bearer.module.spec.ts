import { Controller, Get, type DynamicModule, type INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_FILTER } from '@nestjs/core';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { ConfigurationError, OAuthErrorFilter } from '@nest-identity/shared';
import { JwtAuthGuard, JwtBearerModule, Public } from '@nest-identity/jwt-bearer';

@Controller()
class TestController {
  @Get('closed')
  closed(): string {
    return 'closed';
  }

  @Get('open')
  @Public()
  open(): string {
    return 'open';
  }
}

// The app registers the renderer of OAuthErrors, as index.ts asks.
const oauthErrorFilter = { provide: APP_FILTER, useClass: OAuthErrorFilter };

describe('JwtBearerModule', () => {
  const options = {
    authority: 'http://127.0.0.1:1',
    audience: 'api1',
    requireHttpsMetadata: false,
  };
  let app: INestApplication | undefined;

  afterEach(() => app?.close());

  function testingModule(jwtBearer: DynamicModule): TestingModuleBuilder {
    return Test.createTestingModule({
      imports: [jwtBearer],
      controllers: [TestController],
      providers: [oauthErrorFilter],
    });
  }

  async function start(builder: TestingModuleBuilder): Promise<NestFastifyApplication> {
    const moduleRef = await builder.compile();
    const started = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app = started;
    await started.init();
    await started.getHttpAdapter().getInstance().ready();
    return started;
  }

  it('guards every route with forRoot, except the @Public() ones', async () => {
    const started = await start(testingModule(JwtBearerModule.forRoot(options)));
    const closed = await started.inject({ url: '/closed' });
    expect(closed.statusCode).toBe(401);
    expect(closed.headers['www-authenticate']).toBe('Bearer');
    expect((await started.inject({ url: '/open' })).body).toBe('open');
  });

  it('takes its options from a factory with forRootAsync', async () => {
    const jwtBearer = JwtBearerModule.forRootAsync({ useFactory: () => Promise.resolve(options) });
    const started = await start(testingModule(jwtBearer));
    expect((await started.inject({ url: '/closed' })).statusCode).toBe(401);
  });

  it('registers the global guard with useExisting, so a test can replace it', async () => {
    const started = await start(
      testingModule(JwtBearerModule.forRoot(options))
        .overrideProvider(JwtAuthGuard)
        .useValue({ canActivate: () => true }),
    );
    expect((await started.inject({ url: '/closed' })).body).toBe('closed');
  });

  it('refuses to start with options that would accept bad tokens', async () => {
    const compiling = Test.createTestingModule({
      imports: [JwtBearerModule.forRoot({ ...options, requireHttpsMetadata: true })],
    }).compile();
    await expect(compiling).rejects.toThrow(ConfigurationError);
  });
});
