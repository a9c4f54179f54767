import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import cluster from 'node:cluster';
import {
  closeGracefullyOnSignals,
  createHttpAdapter,
  startTracing,
  useSecurityHeaders,
} from '@nest-identity/shared/hosting';
import { ConfigFileReloader } from './clients/config-file-reloader';
import { identityWorkers, runPrimary } from './cluster';
import { identitySettings } from './config/identity-settings';
import { allowCrossOriginCalls } from './http/cross-origin';
import { REQUEST_BODY_LIMIT, registerBodyParsers } from './http/form-body';
import { refuseOtherMethods } from './http/post-only-endpoints';
import { IdentityModule } from './identity.module';
import { serveIdentityDocs } from './openapi/identity.openapi';

async function bootstrap(): Promise<void> {
  const settings = identitySettings();
  // Before the adapter and the app: their logger and hooks see whether tracing is on.
  startTracing('identity');
  const adapter = createHttpAdapter(settings.server, {
    app: 'identity',
    bodyLimit: REQUEST_BODY_LIMIT,
    trustProxy: settings.trustProxy,
  });
  registerBodyParsers(adapter.getInstance());
  allowCrossOriginCalls(adapter.getInstance(), settings.corsOrigins);
  refuseOtherMethods(adapter.getInstance(), settings.corsOrigins.length > 0);
  // Nest's logger stays off while providers are built, so an invalid configuration prints only
  // the one line below instead of Nest's dump of the error.
  const app = await NestFactory.create<NestFastifyApplication>(IdentityModule, adapter, {
    abortOnError: false,
    bodyParser: false,
    logger: false,
  });
  app.useLogger(app.get(PinoLogger));
  const logger = new Logger('Identity');
  useSecurityHeaders(app, settings.server);
  serveIdentityDocs(app);
  closeGracefullyOnSignals(app, settings.server.shutdownGracePeriodMs, (message) =>
    logger.log(message),
  );
  app.get(ConfigFileReloader).reloadOn('SIGHUP');
  await app.listen({ port: settings.port, host: '0.0.0.0' });
  logger.log(`identity listening on ${await app.getUrl()}, issuer ${settings.issuer}`);
}

function cannotStart(error: unknown): never {
  console.error(
    `identity: cannot start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

/**
 * Runs the standalone authority as `npm run start:identity` and the package's `serve` command do:
 * settings from the environment (docs/reference.md); with IDENTITY_WORKERS > 1 this process is
 * the cluster's primary and each worker runs the server. A failure to start is one line on
 * stderr and exit code 1.
 */
export function serveIdentity(): void {
  let workers = 1;
  try {
    workers = cluster.isPrimary ? identityWorkers() : 1;
  } catch (error) {
    cannotStart(error);
  }
  if (workers > 1) runPrimary(workers);
  else bootstrap().catch(cannotStart);
}
