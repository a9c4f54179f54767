import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { OAuthErrorFilter, httpLoggingParams } from '@app/shared';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { ClientAssertionsModule } from './clients/assertions/client-assertions.module';
import { DemoSecretWarnings } from './clients/demo-secrets';
import { ClientsModule } from './clients/clients.module';
import { identitySettings, type IdentitySettings } from './config/identity-settings';
import { HealthModule } from './health/health.module';
import { KeysModule } from './keys/keys.module';
import { MetadataModule } from './metadata/metadata.module';
import { IntrospectionModule } from './introspection/introspection.module';
import { IdentityMetricsModule } from './metrics/identity-metrics.module';
import { PersistenceModule } from './persistence/persistence.module';
import { ReplayCacheModule } from './replay/replay-cache.module';
import { RateLimitModule } from './throttling/rate-limit.module';
import { TokenModule } from './token/token.module';

/** The authority: its database, clients, keys, the token endpoint, discovery and the admin API. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [identitySettings] }),
    LoggerModule.forRootAsync({
      inject: [identitySettings.KEY],
      useFactory: (settings: IdentitySettings) =>
        httpLoggingParams('identity', settings.server.logLevel),
    }),
    AuditModule.forRoot(),
    PersistenceModule,
    ReplayCacheModule,
    ClientAssertionsModule,
    ClientsModule.forRoot(),
    KeysModule.forRoot(),
    TokenModule,
    IntrospectionModule,
    MetadataModule,
    AdminModule,
    HealthModule,
    RateLimitModule,
    IdentityMetricsModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: OAuthErrorFilter }, DemoSecretWarnings],
})
export class IdentityModule {}
