import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import cluster from 'node:cluster';
import { identityWorkers, runPrimary } from './cluster';
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

function cannotStart(error: unknown): never {
  console.error(
    `identity: cannot start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

// IDENTITY_WORKERS > 1: this process is the cluster's primary and each worker runs bootstrap().
let workers = 1;
try {
  workers = cluster.isPrimary ? identityWorkers() : 1;
} catch (error) {
  cannotStart(error);
}
if (workers > 1) runPrimary(workers);
else bootstrap().catch(cannotStart);
