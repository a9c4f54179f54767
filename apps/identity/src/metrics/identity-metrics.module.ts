import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '@app/shared';
import { SigningKeyMetrics } from './signing-key.metrics';
import { TokenEndpointMetrics } from './token-endpoint.metrics';

/**
 * `GET /metrics` for the identity: the shared set-up (process metrics, HTTP durations) plus the
 * token endpoint's counters and the signing keys' gauges. Global, so the token endpoint's guard
 * and ClientAuthenticator find TokenEndpointMetrics (the CLI has neither, nor this module).
 */
@Global()
@Module({
  imports: [MetricsModule.forRoot()],
  providers: [TokenEndpointMetrics, SigningKeyMetrics],
  exports: [TokenEndpointMetrics],
})
export class IdentityMetricsModule {}
