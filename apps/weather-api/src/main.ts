import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  closeGracefullyOnSignals,
  createHttpAdapter,
  startTracing,
  useSecurityHeaders,
} from '@nest-identity/shared/hosting';
import { serveWeatherApiDocs } from './openapi/weather-api.openapi';
import { weatherApiConfig, type WeatherApiSettings } from './config/weather-api.config';
import { WeatherApiModule } from './weather-api.module';

async function bootstrap(): Promise<void> {
  const settings: WeatherApiSettings = weatherApiConfig();
  // Before the adapter and the app: their logger and hooks see whether tracing is on.
  startTracing('weather-api');
  // Logger off until the app listens: a failed start prints one line (below), not Nest's stack.
  const app = await NestFactory.create<NestFastifyApplication>(
    WeatherApiModule,
    createHttpAdapter(settings.server, { app: 'weather-api' }),
    { logger: false, abortOnError: false },
  );
  useSecurityHeaders(app, settings.server);
  serveWeatherApiDocs(app);
  await app.listen(settings.port, '0.0.0.0');
  app.useLogger(app.get(PinoLogger));
  const logger = new Logger('WeatherApi');
  closeGracefullyOnSignals(app, settings.server.shutdownGracePeriodMs, (message) =>
    logger.log(message),
  );
  logger.log(`listening on ${await app.getUrl()}, trusting tokens from ${settings.authority}`);
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`weather-api: cannot start: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
