import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { httpLoggingParams } from '@nest-identity/shared/hosting';
import { TokenClientModule } from '@nest-identity/token-client';
import { forecastClientConfig, type ForecastClientSettings } from './forecast-client.config';
import { ForecastSummaryController } from './forecast-summary.controller';
import { HealthController } from './health.controller';

/** An example of "service A": a Nest service calling the weather-api with its own client credentials. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [forecastClientConfig] }),
    LoggerModule.forRootAsync({
      inject: [forecastClientConfig.KEY],
      useFactory: (settings: ForecastClientSettings) =>
        httpLoggingParams('forecast-client', settings.server.logLevel),
    }),
    TokenClientModule.forRootAsync({
      inject: [forecastClientConfig.KEY],
      useFactory: (settings: ForecastClientSettings) => settings.tokenClient,
    }),
    TerminusModule,
  ],
  controllers: [ForecastSummaryController, HealthController],
})
export class ForecastClientModule {}
