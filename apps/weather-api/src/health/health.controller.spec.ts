import { Logger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AccessTokenRequiredClaims } from '@nest-identity/shared';
import { FakeAuthority } from '@nest-identity/jwt-bearer/testing';
import { weatherApiConfig, type WeatherApiSettings } from '../config/weather-api.config';
import { WeatherApiModule } from '../weather-api.module';

/** The weather-api's health endpoints, in-process against a local authority. */
describe('weather-api health', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    const moduleRef = await Test.createTestingModule({ imports: [WeatherApiModule] })
      .overrideProvider(weatherApiConfig.KEY)
      .useValue({
        port: 0,
        authority: authority.issuer,
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
      } satisfies WeatherApiSettings)
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('is alive without a token, whatever the authority', async () => {
    authority.available = false;
    expect((await get('/health')).json()).toEqual({ status: 'ok' });
    const live = await get('/health/live');
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('is not ready while the authority has never answered', async () => {
    authority.available = false;
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      status: 'error',
      error: { authority: { status: 'down', message: expect.any(String) } },
    });
  });

  it('turns ready once the metadata and keys are obtained, and stays so when the authority goes', async () => {
    authority.available = true;
    // A metadata failure is remembered for metadataRetrySeconds (1 s) before it is asked again.
    let ready = await get('/health/ready');
    for (let tries = 0; ready.statusCode !== 200 && tries < 30; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await get('/health/ready');
    }
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', info: { authority: { status: 'up' } } });
    expect(authority.requests.jwks).toBeGreaterThan(0);

    authority.available = false;
    expect((await get('/health/ready')).statusCode).toBe(200);
  });
});
