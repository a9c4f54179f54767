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
import { forecastClientConfig, type ForecastClientSettings } from './forecast-client.config';
import { ForecastClientModule } from './forecast-client.module';

async function bootstrap(): Promise<void> {
  const settings: ForecastClientSettings = forecastClientConfig();
  // Before the adapter and the app: their logger and hooks see whether tracing is on.
  startTracing('forecast-client');
  // Logger off until the app listens: a failed start prints one line (below), not Nest's stack.
  const app = await NestFactory.create<NestFastifyApplication>(
    ForecastClientModule,
    createHttpAdapter(settings.server, { app: 'forecast-client' }),
    { logger: false, abortOnError: false },
  );
  useSecurityHeaders(app, settings.server);
  await app.listen(settings.port, '0.0.0.0');
  app.useLogger(app.get(PinoLogger));
  const logger = new Logger('ForecastClient');
  closeGracefullyOnSignals(app, settings.server.shutdownGracePeriodMs, (message) =>
    logger.log(message),
  );
  logger.log(
    `listening on ${await app.getUrl()}, calling ${settings.weatherApiUrl} as client ` +
      `"${settings.tokenClient.clientId}" of ${settings.tokenClient.authority}`,
  );
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`forecast-client: cannot start: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
