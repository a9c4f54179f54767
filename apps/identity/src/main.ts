import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { identitySettings, type IdentitySettings } from './config/identity-settings';
import { REQUEST_BODY_LIMIT, registerBodyParsers } from './http/form-body';
import { IdentityModule } from './identity.module';

async function bootstrap(): Promise<void> {
  const adapter = new FastifyAdapter({ bodyLimit: REQUEST_BODY_LIMIT });
  registerBodyParsers(adapter.getInstance());
  // Nest's logger stays off while providers are built, so an invalid configuration prints only
  // the one line below instead of Nest's dump of the error.
  const app = await NestFactory.create<NestFastifyApplication>(IdentityModule, adapter, {
    abortOnError: false,
    bodyParser: false,
    logger: false,
  });
  app.useLogger(new ConsoleLogger());
  app.enableShutdownHooks();
  const settings = app.get<IdentitySettings>(identitySettings.KEY);
  await app.listen({ port: settings.port, host: '0.0.0.0' });
  new Logger('Identity').log(
    `identity listening on ${await app.getUrl()}, issuer ${settings.issuer}`,
  );
}

bootstrap().catch((error: unknown) => {
  console.error(
    `identity: cannot start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
