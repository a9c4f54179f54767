import { Global, Module } from '@nestjs/common';
import { JwtBearerMetrics } from '@nest-identity/jwt-bearer';
import { MetricsModule } from '@nest-identity/shared/hosting';
import { PrometheusJwtBearerMetrics } from './jwt-bearer.prometheus-metrics';
import { MetricsController } from './metrics.controller';

/**
 * `GET /metrics` for the weather-api: the shared set-up (process metrics, HTTP durations) and
 * JwtBearerModule's counters. Global, so the module's guard and key resolver find
 * JwtBearerMetrics.
 */
@Global()
@Module({
  imports: [MetricsModule.forRoot({ controller: MetricsController })],
  providers: [{ provide: JwtBearerMetrics, useClass: PrometheusJwtBearerMetrics }],
  exports: [JwtBearerMetrics],
})
export class WeatherApiMetricsModule {}
