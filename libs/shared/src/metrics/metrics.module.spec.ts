import { Controller, Get, Module, NotFoundException, Param } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { register } from 'prom-client';
import { isProbeOrScrape } from '../logging/http-logging';
import { MetricsModule } from './metrics.module';

@Controller('things')
class ThingsController {
  @Get(':id')
  thing(@Param('id') id: string): { id: string } {
    if (id === 'missing') throw new NotFoundException();
    return { id };
  }
}

@Module({ imports: [MetricsModule.forRoot()], controllers: [ThingsController] })
class AppModule {}

describe('MetricsModule', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const get = (url: string) => app.inject({ method: 'GET', url });
  const count = (text: string, labels: string) =>
    Number(
      new RegExp(`^http_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, 'm').exec(
        text,
      )?.[1] ?? 0,
    );

  it('serves the Prometheus text format at /metrics, with the Node process metrics', async () => {
    const response = await get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(register.contentType);
    expect(response.body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(response.body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('times every request by route pattern, unmatched ones under one label', async () => {
    await get('/things/1');
    await get('/things/2');
    await get('/things/missing');
    await get('/no/such/route?x=1');
    await get('/another/unknown');
    const text = (await get('/metrics')).body;
    expect(count(text, 'method="GET",route="/things/:id",status_code="200"')).toBe(2);
    expect(count(text, 'method="GET",route="/things/:id",status_code="404"')).toBe(1);
    expect(count(text, 'method="GET",route="unmatched",status_code="404"')).toBe(2);
    expect(text).not.toMatch(/route="\/things\/1"|no\/such|another/);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0.005",method="GET"/m);
  });

  it('builds again in the same process (specs build apps more than once)', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const again = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await again.init();
    await again.close();
  });
});

describe('isProbeOrScrape: what the request log leaves out', () => {
  it.each(['/health', '/health/live', '/health/ready?x=1', '/metrics', '/metrics?name[]=x'])(
    'leaves out %s',
    (url) => expect(isProbeOrScrape(url)).toBe(true),
  );
  it.each(['/healthy', '/metricsx', '/metrics/extra', '/connect/token', '/weatherforecast'])(
    'logs %s',
    (url) => expect(isProbeOrScrape(url)).toBe(false),
  );
});
