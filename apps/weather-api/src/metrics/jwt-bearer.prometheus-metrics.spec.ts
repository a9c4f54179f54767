import { Registry } from 'prom-client';
import { PrometheusJwtBearerMetrics } from './jwt-bearer.prometheus-metrics';

describe('PrometheusJwtBearerMetrics', () => {
  it('counts token validations and JWKS fetches by outcome', async () => {
    const registry = new Registry();
    const metrics = new PrometheusJwtBearerMetrics(registry);
    metrics.tokenValidated('valid');
    metrics.tokenValidated('cached');
    metrics.tokenValidated('cached');
    metrics.tokenValidated('invalid');
    metrics.jwksFetched('success');
    metrics.jwksFetched('failure');

    const text = await registry.metrics();
    expect(text).toContain('jwt_bearer_token_validations_total{outcome="valid"} 1\n');
    expect(text).toContain('jwt_bearer_token_validations_total{outcome="cached"} 2\n');
    expect(text).toContain('jwt_bearer_token_validations_total{outcome="invalid"} 1\n');
    expect(text).toContain('jwt_bearer_jwks_fetches_total{outcome="success"} 1\n');
    expect(text).toContain('jwt_bearer_jwks_fetches_total{outcome="failure"} 1\n');
  });
});
