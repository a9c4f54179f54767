import { Injectable } from '@nestjs/common';
import { Registry, type Counter } from 'prom-client';
import {
  JwtBearerMetrics,
  type JwksFetchOutcome,
  type TokenValidationOutcome,
} from '@nest-identity/jwt-bearer';
import { counterIn } from '@nest-identity/shared/hosting';

/** JwtBearerModule's reports as Prometheus counters. */
@Injectable()
export class PrometheusJwtBearerMetrics extends JwtBearerMetrics {
  private readonly validations: Counter<'outcome'>;
  private readonly fetches: Counter<'outcome'>;

  constructor(registry: Registry) {
    super();
    this.validations = counterIn(registry, {
      name: 'jwt_bearer_token_validations_total',
      help: 'Bearer tokens checked: valid (verified in full), invalid (refused), cached (admitted from the verified-token cache)',
      labelNames: ['outcome'],
    });
    this.fetches = counterIn(registry, {
      name: 'jwt_bearer_jwks_fetches_total',
      help: "Fetches of the authority's metadata and signing keys, by outcome: success or failure",
      labelNames: ['outcome'],
    });
  }

  tokenValidated(outcome: TokenValidationOutcome): void {
    this.validations.inc({ outcome });
  }

  jwksFetched(outcome: JwksFetchOutcome): void {
    this.fetches.inc({ outcome });
  }
}
