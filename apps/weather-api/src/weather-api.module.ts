import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { JwtBearerModule } from '@nest-identity/jwt-bearer';
import { OAuthErrorFilter } from '@nest-identity/shared';
import { httpLoggingParams } from '@nest-identity/shared/hosting';
import { HealthModule } from './health/health.module';
import { WeatherApiMetricsModule } from './metrics/weather-api-metrics.module';
import { weatherApiConfig, type WeatherApiSettings } from './config/weather-api.config';
import { WeatherModule } from './weather/weather.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [weatherApiConfig] }),
    LoggerModule.forRootAsync({
      inject: [weatherApiConfig.KEY],
      useFactory: (settings: WeatherApiSettings) =>
        httpLoggingParams('weather-api', settings.server.logLevel),
    }),
    JwtBearerModule.forRootAsync({
      inject: [weatherApiConfig.KEY],
      useFactory: (settings: WeatherApiSettings) => ({
        authority: settings.authority,
        audience: settings.audience,
        clockSkewSeconds: settings.clockSkewSeconds,
        requiredClaims: settings.requiredClaims,
        maxTokenLifetimeSeconds: settings.maxTokenLifetimeSeconds,
        keyCacheSeconds: settings.keyCacheSeconds,
        requireHttpsMetadata: settings.requireHttpsMetadata,
        // The API resource's name (AUDIENCE) is its client id at the introspection endpoint.
        introspection:
          settings.apiSecret === undefined
            ? undefined
            : {
                clientSecret: settings.apiSecret,
                cacheSeconds: settings.introspectionCacheSeconds,
              },
        dpop: { publicUrl: settings.publicUrl },
      }),
    }),
    WeatherModule,
    HealthModule,
    WeatherApiMetricsModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: OAuthErrorFilter }],
})
export class WeatherApiModule {}
