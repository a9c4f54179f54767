import { Global, Module } from '@nestjs/common';
import { Registry, register } from 'prom-client';
import { SigningKeyMetrics } from './signing-key.metrics';
import { TokenEndpointMetrics } from './token-endpoint.metrics';

/**
 * The identity's metrics (served by the host's `GET /metrics`, with the process metrics and HTTP
 * durations): the token endpoint's counters and the signing keys' gauges. Global, so the guard
 * and ClientAuthenticator find TokenEndpointMetrics (the CLI has neither, nor this module).
 */
@Global()
@Module({
  // prom-client's default registry, which the host's `GET /metrics` serves (MetricsModule in
  // @nest-identity/shared): the authority counts, the host decides where they are read.
  providers: [{ provide: Registry, useValue: register }, TokenEndpointMetrics, SigningKeyMetrics],
  exports: [TokenEndpointMetrics],
})
export class IdentityMetricsModule {}
