import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { APP_FILTER } from '@nestjs/core';
import { OAuthErrorFilter } from '@nest-identity/shared';
import { MetricsModule, httpLoggingParams } from '@nest-identity/shared/hosting';
import { identitySettings, type IdentitySettings } from './config/identity-settings';
import { HealthModule } from './health/health.module';
import { IdentityServerModule } from './identity-server.module';

/**
 * The standalone server (`npm run start:identity`, the package's `bin`): the authority mounted in
 * a host of its own, which adds what a host owns: the JSON access log, `GET /metrics`, the health
 * routes and the OAuth error format for every route, even an unknown one.
 */
@Module({
  imports: [
    IdentityServerModule.forRoot(),
    LoggerModule.forRootAsync({
      inject: [identitySettings.KEY],
      useFactory: (settings: IdentitySettings) =>
        httpLoggingParams('identity', settings.server.logLevel),
    }),
    MetricsModule.forRoot(),
    HealthModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: OAuthErrorFilter }],
})
export class IdentityModule {}
