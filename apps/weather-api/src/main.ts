import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { weatherApiConfig, type WeatherApiSettings } from './weather-api.config';
import { WeatherApiModule } from './weather-api.module';

async function bootstrap(): Promise<void> {
  // Logger off until the app listens: a failed start prints one line (below), not Nest's stack.
  const app = await NestFactory.create<NestFastifyApplication>(
    WeatherApiModule,
    new FastifyAdapter(),
    { logger: false, abortOnError: false },
  );
  app.enableShutdownHooks();
  const settings = app.get<WeatherApiSettings>(weatherApiConfig.KEY);
  await app.listen(settings.port, '0.0.0.0');
  app.useLogger(new ConsoleLogger());
  new Logger('WeatherApi').log(
    `listening on ${await app.getUrl()}, trusting tokens from ${settings.authority}`,
  );
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`weather-api: cannot start: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
