import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { OAuthErrorFilter } from '@app/shared';
import { AdminModule } from './admin/admin.module';
import { ClientsModule } from './clients/clients.module';
import { identitySettings } from './config/identity-settings';
import { HealthController } from './health.controller';
import { KeysModule } from './keys/keys.module';
import { MetadataModule } from './metadata/metadata.module';
import { PersistenceModule } from './persistence/persistence.module';
import { RateLimitModule } from './throttling/rate-limit.module';
import { TokenModule } from './token/token.module';

/** The authority: its database, clients, keys, the token endpoint, discovery and the admin API. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [identitySettings] }),
    PersistenceModule,
    ClientsModule.forRoot(),
    KeysModule.forRoot(),
    TokenModule,
    MetadataModule,
    AdminModule,
    RateLimitModule,
  ],
  controllers: [HealthController],
  providers: [{ provide: APP_FILTER, useClass: OAuthErrorFilter }],
})
export class IdentityModule {}
